// Integration: the /job routes (spec/rest-api.md §11, acceptance §6) on the real ApiServer
// in-process, against a real nats-server and real in-process agents.
#include <gtest/gtest.h>

#include "auth_fixture.h"
#include "common/ids.h"
#include "job/model.h"

using namespace osapi;
using namespace osapi::api::auth_testing;
using json = nlohmann::json;

namespace {

class JobApi : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_ = base_config(nats_);
    admin_ = "Bearer " + mint({"admin"});
  }
  // Agents first, so the registry the API reads already lists them.
  void start(const std::vector<std::string>& agents = {"agent-1"}) {
    for (const auto& h : agents) agents_.push_back(std::make_unique<AgentRunner>(cfg_, h));
    api_ = std::make_unique<Api>(cfg_);
  }
  Reply post(const std::string& path, const std::string& body, const std::string& auth = "") const {
    return api_->call("POST", path, auth.empty() ? admin_ : auth, body);
  }
  Reply get(const std::string& path) const { return api_->call("GET", path, admin_); }
  Reply del(const std::string& path) const { return api_->call("DELETE", path, admin_); }

  // POST /job and return the new id.
  std::string create(const std::string& type, const std::string& target = "_any") const {
    const Reply r = post("/job", json{{"operation", {{"type", type}, {"data", json::object()}}},
                                      {"target_hostname", target}}
                                     .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.doc.is_object() ? r.doc.value("job_id", "") : "";
  }
  // Polls GET /job/{id} until the job reaches `status`; returns the last body.
  json wait_status(const std::string& id, const std::string& status) const {
    json last;
    eventually(
        [&] {
          last = get("/job/" + id).doc;
          return last.is_object() && last.value("status", "") == status;
        },
        std::chrono::seconds(20));
    EXPECT_EQ(last.value("status", ""), status) << last.dump();
    return last;
  }
  // A record written straight into the jobs bucket (no events), for rows a real submit cannot
  // produce.
  std::string put_raw_record(const json& record_extra) {
    messaging::ConnectOptions o;
    o.url = nats_.url();
    auto conn = messaging::Connection::connect(o);
    EXPECT_TRUE(conn.ok());
    auto kv = (*conn)->key_value("osapi-job-queue");
    EXPECT_TRUE(kv.ok());
    const std::string id = uuid_v4();
    json rec{{"id", id},
             {"status", "unprocessed"},
             {"created", "2026-01-01T00:00:00Z"},
             {"subject", "osapi.jobs.query._any"}};
    rec.update(record_extra);
    EXPECT_TRUE((*kv)->put(job::job_key(id), rec.dump()).ok());
    return id;
  }

  osapi::testing::NatsServer nats_;
  config::Config cfg_;
  std::string admin_;
  std::vector<std::unique_ptr<AgentRunner>> agents_;
  std::unique_ptr<Api> api_;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_F(JobApi, JC1_CreateAnswers201Unprocessed) {
  start({});
  const Reply r =
      post("/job", R"({"operation":{"type":"node.hostname.get"},"target_hostname":"_any"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(is_uuid(r.doc["job_id"].get<std::string>()));
  EXPECT_EQ(r.doc["status"], "unprocessed");
  EXPECT_GE(r.doc["revision"].get<int64_t>(), 1);
  Clock::time_point t;
  EXPECT_TRUE(parse_rfc3339(r.doc["timestamp"].get<std::string>(), t));
}

TEST_F(JobApi, JC2_JC3_JC5_JC6_CreateValidation) {
  start();
  Reply r = post("/job", R"({"target_hostname":"_any"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("error", ""), "'Operation' failed on the 'required' tag"))
      << r.body;
  r = post("/job", R"({"operation":{"type":"test"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("error", ""), "'TargetHostname' failed on the 'required' tag"))
      << r.body;
  r = post("/job", R"({"operation":{"data":{}},"target_hostname":"_any"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc, (json{{"error", "invalid operation format: missing type field"}}));
  r = post("/job", R"({"operation":{"type":"node.hostname.get"},"target_hostname":"nonexistent"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "valid_target")) << r.body;
  EXPECT_TRUE(contains(r.body, "target agent \\\"nonexistent\\\" not found")) << r.body;
  // A live hostname and a matching label are valid.
  EXPECT_FALSE(create("node.hostname.get", "agent-1").empty());
}

TEST_F(JobApi, CreateStageOrder) {
  start({});
  // Body decoding precedes auth; auth precedes validation.
  Reply r = api_->call("POST", "/job", "", "{bad");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Syntax error")) << r.body;
  r = api_->call("POST", "/job", "", R"({"operation":5})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Unmarshal type error")) << r.body;
  EXPECT_TRUE(contains(r.doc.value("message", ""), "field=operation")) << r.body;
  r = api_->call("POST", "/job", "", R"({"target_hostname":"_any"})");
  EXPECT_EQ(r.status, 401);
  r = post("/job", R"({"target_hostname":"_any"})", "Bearer " + mint({"read"}, {"job:read"}));
  EXPECT_EQ(r.status, 403);
}

TEST_F(JobApi, JL1_JL2_JL5_ListPaginatesNewestFirst) {
  start({});
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(create("node.hostname.get"));
  Reply r = get("/job");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["total_items"], 12);
  EXPECT_EQ(r.doc["items"].size(), 10u);  // default limit
  r = get("/job?limit=5&offset=10");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.doc["total_items"], 12);
  EXPECT_EQ(r.doc["items"].size(), 2u);
  r = get("/job?limit=0");
  ASSERT_EQ(r.doc["items"].size(), 12u);
  for (size_t i = 1; i < 12; ++i)  // newest first
    EXPECT_GE(r.doc["items"][i - 1]["created"].get<std::string>(),
              r.doc["items"][i]["created"].get<std::string>());
  for (const auto& item : r.doc["items"]) {
    EXPECT_EQ(item["status"], "submitted");  // no agent
    EXPECT_FALSE(item.contains("timeline"));
    EXPECT_FALSE(item.contains("agent_states"));
  }
  r = get("/job?status=completed");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.doc, (json{{"total_items", 0}, {"items", json::array()}}));
  r = get("/job?offset=50");
  EXPECT_EQ(r.doc["total_items"], 12);
  EXPECT_TRUE(r.doc["items"].empty());
}

TEST_F(JobApi, JL3_JL4_JL8_ListParameterErrors) {
  start({});
  Reply r = get("/job?status=bogus");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("error", ""), "'oneof'")) << r.body;
  for (const char* q : {"/job?limit=-1", "/job?offset=-1"}) {
    r = get(q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_TRUE(r.doc.contains("error")) << r.body;
    EXPECT_TRUE(contains(r.body, "'min'")) << r.body;
  }
  r = get("/job?limit=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter limit: "))
      << r.body;
  // Binding precedes auth.
  r = api_->call("GET", "/job?limit=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(api_->call("GET", "/job").status, 401);
}

TEST_F(JobApi, JL6_JG1_JG3_JG6_JG7_CompletedAndFailedJobs) {
  start();
  const std::string ok_id = create("node.hostname.get");
  const std::string bad_id = create("bogus");
  const json done = wait_status(ok_id, "completed");
  EXPECT_EQ(done["id"], ok_id);
  EXPECT_EQ(done["hostname"], "agent-1");
  EXPECT_TRUE(done.contains("result"));
  EXPECT_FALSE(done.contains("responses"));  // JG-6: one response
  EXPECT_FALSE(done.contains("error"));
  EXPECT_EQ(done["agent_states"]["agent-1"]["status"], "completed");

  const json failed = wait_status(bad_id, "failed");
  EXPECT_TRUE(contains(failed.value("error", ""), "invalid operation type format"));
  EXPECT_EQ(failed["agent_states"]["agent-1"]["error"], failed["error"]);  // JG-7
  const std::string timeline = failed["timeline"].dump();                  // JG-3
  EXPECT_TRUE(contains(timeline, "submitted"));
  EXPECT_TRUE(contains(timeline, "failed"));
  EXPECT_TRUE(contains(timeline, "Job submitted to queue"));
  EXPECT_TRUE(contains(timeline, "invalid operation type format"));

  const Reply list = get("/job?limit=0");
  ASSERT_EQ(list.status, 200);
  for (const auto& item : list.doc["items"]) {  // JL-6
    EXPECT_TRUE(item.contains("operation"));
    EXPECT_TRUE(item.contains("hostname"));
    EXPECT_TRUE(item.contains("updated_at"));
    if (item["id"] == ok_id) {
      EXPECT_TRUE(item.contains("result"));
    }
    if (item["id"] == bad_id) {
      EXPECT_TRUE(item.contains("error"));
    }
  }
  EXPECT_EQ(get("/job?status=failed").doc["total_items"], 1);
  EXPECT_EQ(get("/job?status=completed").doc["total_items"], 1);
}

TEST_F(JobApi, JS1_StatsHaveAllStatusKeys) {
  start();
  create("node.hostname.get");
  wait_status(create("bogus"), "failed");
  const Reply r = get("/job/status");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["total_jobs"], 2);
  EXPECT_EQ(r.doc["dlq_count"], 0);
  for (const char* s : {"submitted", "processing", "completed", "failed", "partial_failure"})
    EXPECT_TRUE(r.doc["status_counts"].contains(s)) << s;
  EXPECT_EQ(r.doc["status_counts"]["failed"], 1);
  EXPECT_EQ(r.doc["operation_counts"], (json{{"bogus", 1}, {"node.hostname.get", 1}}));
}

TEST_F(JobApi, JG5_BroadcastResponsesKeyedByRawHostname) {
  start({"web-01.example.com", "db-1"});
  const std::string id = create("node.hostname.get", "_all");
  json detail;
  eventually(
      [&] {
        detail = get("/job/" + id).doc;
        return detail.contains("responses") && detail["responses"].size() == 2 &&
               detail.value("status", "") == "completed";
      },
      std::chrono::seconds(20));
  ASSERT_TRUE(detail.contains("responses")) << detail.dump();
  EXPECT_TRUE(detail["responses"].contains("web-01.example.com"));
  EXPECT_TRUE(detail["responses"].contains("db-1"));
  EXPECT_TRUE(detail["agent_states"].contains("web-01.example.com"));
  EXPECT_TRUE(detail["agent_states"].contains("db-1"));
  EXPECT_FALSE(detail.contains("result"));
}

TEST_F(JobApi, JG2_JG9_JG10_GetErrorsAndNoTimeline) {
  start({});
  Reply r = api_->call("GET", "/job/not-a-uuid");  // anonymous: binding first
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter id")) << r.body;
  const std::string missing = uuid_v4();
  r = get("/job/" + missing);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.doc, (json{{"error", "job not found: " + missing}}));
  const std::string bare = put_raw_record(json{{"operation", {{"type", "node.hostname.get"}}}});
  r = get("/job/" + bare);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.doc["status"], "submitted");
  EXPECT_FALSE(r.doc.contains("timeline"));
  EXPECT_FALSE(r.doc.contains("updated_at"));
}

TEST_F(JobApi, JD1_JD2_JD3_Delete) {
  start({});
  const std::string id = create("node.hostname.get");
  Reply r = del("/job/" + id);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(get("/job/" + id).status, 404);
  EXPECT_EQ(get("/job").doc["total_items"], 0);
  r = del("/job/" + id);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.doc, (json{{"error", "job not found: " + id}}));
  r = del("/job/not-a-uuid");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter id"));
  EXPECT_EQ(api_->call("DELETE", "/job/" + id, "Bearer " + mint({"read"})).status, 403);
}

TEST_F(JobApi, JR1_JR2_JG8_RetryCreatesNewJobAndTimelineEntry) {
  start();
  const std::string original = create("bogus");
  wait_status(original, "failed");
  Reply r = post("/job/" + original + "/retry", R"({"target_hostname":"_any"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string first = r.doc["job_id"];
  EXPECT_NE(first, original);
  EXPECT_EQ(r.doc["status"], "unprocessed");
  EXPECT_GE(r.doc["revision"].get<int64_t>(), 1);
  // JR-2: {} and no body both mean _any.
  r = post("/job/" + original + "/retry", "{}");
  EXPECT_EQ(r.status, 201) << r.body;
  r = api_->call("POST", "/job/" + original + "/retry", admin_, "", "");
  EXPECT_EQ(r.status, 201) << r.body;

  const json retried = wait_status(first, "failed");
  EXPECT_EQ(retried["operation"]["type"], "bogus");
  const json old = get("/job/" + original).doc;  // JG-8
  std::vector<std::string> events;
  for (const auto& e : old["timeline"]) events.push_back(e["event"]);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.front(), "submitted");
  EXPECT_EQ(events[1], "acknowledged");
  EXPECT_NE(std::find(events.begin(), events.end(), "failed"), events.end());
  EXPECT_EQ(events.back(), "retried");
  bool mentions_first = false;
  for (const auto& e : old["timeline"])
    if (e["event"] == "retried" && e["message"] == "Job retried as " + first) mentions_first = true;
  EXPECT_TRUE(mentions_first);
  EXPECT_EQ(old["status"], "failed");
}

TEST_F(JobApi, JR3_JR4_JR5_JR6_RetryErrors) {
  start();
  Reply r = post("/job/not-a-uuid/retry", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter id"));
  const std::string id = create("node.hostname.get");
  r = post("/job/" + id + "/retry", R"({"target_hostname":""})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("error", ""), "TargetHostname")) << r.body;
  r = post("/job/" + id + "/retry", R"({"target_hostname":"nonexistent"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("error", ""), "valid_target")) << r.body;
  const std::string missing = uuid_v4();
  r = post("/job/" + missing + "/retry", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.doc, (json{{"error", "job not found: " + missing}}));
  const std::string no_op = put_raw_record(json::object());
  r = post("/job/" + no_op + "/retry", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc, (json{{"error", "job has no operation data: " + no_op}}));
  r = post("/job/" + id + "/retry", R"({"target_hostname":"agent-1"})");
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(JobApi, JC4_JL7_JS1_JG10_JD3_JR5_BackendErrorsAre500) {
  start({});
  const std::string id = create("node.hostname.get");
  nats_.stop();
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(
      post("/job", R"({"operation":{"type":"node.hostname.get"},"target_hostname":"_any"})").status,
      500);
  EXPECT_EQ(get("/job").status, 500);
  EXPECT_EQ(get("/job/status").status, 500);
  EXPECT_EQ(get("/job/" + id).status, 500);
  EXPECT_EQ(del("/job/" + id).status, 500);
  const Reply r = post("/job/" + id + "/retry", "{}");
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(r.doc.contains("error")) << r.body;
  // Generous bound: the point is that nothing hangs.
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(120));
}
