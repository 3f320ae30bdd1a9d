// Integration: the /api/job routes on the real ApiServer in-process, against a real
// nats-server, real in-process agents and fake agents (failed, skipped and silent hosts). Jobs
// are created the only way the API creates them: by node operations.
#include <gtest/gtest.h>

#include <thread>

#include "auth_fixture.h"
#include "common/ids.h"
#include "fake_agent.h"
#include "job/model.h"

using namespace osapi;
using namespace osapi::api::auth_testing;
using osapi::api::testing::FakeAgent;
using osapi::api::testing::FakeAgentOptions;
using json = nlohmann::json;

namespace {

class JobApi : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_ = base_config(nats_);
    cfg_.controller.api.job_timeout = std::chrono::seconds(2);
    admin_ = "Bearer " + mint({"admin"});
  }
  // Agents first, so the registry the API reads already lists them.
  void start(const std::vector<std::string>& agents = {"agent-1"}) {
    for (const auto& h : agents) agents_.push_back(std::make_unique<AgentRunner>(cfg_, h));
    api_ = std::make_unique<Api>(cfg_);
  }
  // A fake agent (after start(): it needs the buckets), before the first request naming it.
  void fake(
      const std::string& hostname,
      std::function<api::testing::FakeReply(const std::string&, const nlohmann::ordered_json&)>
          reply,
      bool silent = false) {
    FakeAgentOptions o;
    o.hostname = hostname;
    o.reply = std::move(reply);
    o.silent = silent;
    fakes_.push_back(std::make_unique<FakeAgent>(nats_.url(), cfg_, "osapi", std::move(o)));
  }
  Reply post(const std::string& path, const std::string& body, const std::string& auth = "") const {
    return api_->call("POST", path, auth.empty() ? admin_ : auth, body);
  }
  Reply get(const std::string& path) const { return api_->call("GET", path, admin_); }
  Reply del(const std::string& path) const { return api_->call("DELETE", path, admin_); }

  // A completed node.hostname.get job on `target`; its id.
  std::string hostname_job(const std::string& target = "agent-1") const {
    Reply r = get("/api/node/" + target + "/hostname");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.doc.is_object() ? r.doc.value("job_id", "") : "";
  }
  // Polls GET /api/job/{id} until the job reaches `status`; returns the last body.
  json wait_status(const std::string& id, const std::string& status) const {
    json last;
    eventually(
        [&] {
          last = get("/api/job/" + id).doc;
          return last.is_object() && last.value("status", "") == status;
        },
        std::chrono::seconds(20));
    EXPECT_EQ(last.value("status", ""), status) << last.dump();
    return last;
  }
  // The ids of the listed jobs with `status`.
  std::vector<std::string> ids_with(const std::string& status) const {
    std::vector<std::string> out;
    Reply r = get("/api/job?limit=100&status=" + status);
    for (const auto& item : r.doc["items"]) out.push_back(item["id"]);
    return out;
  }
  // A record written straight into the jobs bucket (no events), for rows a request cannot
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
  std::vector<std::unique_ptr<FakeAgent>> fakes_;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const json kNoJobs =
    json::parse(R"({"submitted":0,"processing":0,"completed":0,"failed":0,"partial_failure":0})");

}  // namespace

TEST_F(JobApi, EmptyListHasEveryStatusCount) {
  start({});
  Reply r = get("/api/job");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc,
            (json{{"total_items", 0}, {"status_counts", kNoJobs}, {"items", json::array()}}));
}

TEST_F(JobApi, ListPaginatesNewestFirstWithLimitsZeroOneHundred) {
  start();
  for (int i = 0; i < 12; ++i) hostname_job();
  Reply r = get("/api/job");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["total_items"], 12);
  EXPECT_EQ(r.doc["items"].size(), 10u);  // default limit
  json counts = kNoJobs;
  counts["completed"] = 12;
  EXPECT_EQ(r.doc["status_counts"], counts);

  r = get("/api/job?limit=0");  // 0 is "absent": the default page
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["items"].size(), 10u);
  r = get("/api/job?limit=1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["items"].size(), 1u);
  EXPECT_EQ(r.doc["total_items"], 12);
  r = get("/api/job?limit=100");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.doc["items"].size(), 12u);
  for (size_t i = 1; i < 12; ++i)  // newest first
    EXPECT_GE(r.doc["items"][i - 1]["created"].get<std::string>(),
              r.doc["items"][i]["created"].get<std::string>());
  for (const auto& item : r.doc["items"]) {
    EXPECT_EQ(item["status"], "completed");
    EXPECT_EQ(item["operation"]["type"], "node.hostname.get");
    EXPECT_EQ(item["hostname"], "agent-1");
    EXPECT_TRUE(item.contains("result"));
    EXPECT_TRUE(item.contains("updated_at"));
    EXPECT_FALSE(item.contains("timeline"));
    EXPECT_FALSE(item.contains("agent_states"));
  }
  r = get("/api/job?limit=101");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc, (json{{"error",
                          "Key: 'GetJobsParams.Limit' Error:Field validation for 'Limit' failed "
                          "on the 'max' tag"}}));

  r = get("/api/job?limit=5&offset=10");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.doc["total_items"], 12);
  EXPECT_EQ(r.doc["items"].size(), 2u);
  r = get("/api/job?offset=50");
  EXPECT_EQ(r.doc["total_items"], 12);
  EXPECT_TRUE(r.doc["items"].empty());
  r = get("/api/job?status=failed");
  EXPECT_EQ(r.doc["total_items"], 0);
  EXPECT_EQ(r.doc["status_counts"], counts);  // counts ignore the filter
}

TEST_F(JobApi, ListParameterErrors) {
  start({});
  Reply r = get("/api/job?status=bogus");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("error", ""), "'GetJobsParams.Status'")) << r.body;
  EXPECT_TRUE(contains(r.doc.value("error", ""), "'oneof'")) << r.body;
  EXPECT_EQ(get("/api/job?status=skipped").status, 400);  // not a filter value
  for (const char* q : {"/api/job?limit=-1", "/api/job?offset=-1"}) {
    r = get(q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_TRUE(contains(r.doc.value("error", ""), "'min'")) << r.body;
  }
  r = get("/api/job?limit=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter limit: "))
      << r.body;
  // Binding precedes auth; validation follows it.
  EXPECT_EQ(api_->call("GET", "/api/job?limit=abc").status, 400);
  EXPECT_EQ(api_->call("GET", "/api/job?limit=101").status, 401);
  EXPECT_EQ(api_->call("GET", "/api/job", "Bearer " + mint({"read"}, {"node:read"})).status, 403);
}

// One job per outcome: completed, failed (single target → 500), skipped (single target → a
// skipped item), submitted (nobody answered → 500) and partial_failure (a broadcast to all of
// them, the silent one a timeout row).
TEST_F(JobApi, StatusCountsCoverEveryOutcome) {
  start();
  fake("bad-1", [](const std::string&, const nlohmann::ordered_json&) {
    return api::testing::reply_failed("disk on fire");
  });
  fake("skip-1", [](const std::string&, const nlohmann::ordered_json&) {
    return api::testing::reply_skipped();
  });
  fake("silent-1", nullptr, true);
  hostname_job("agent-1");
  Reply r = get("/api/node/bad-1/hostname");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc, (json{{"error", "job failed: disk on fire"}}));
  r = get("/api/node/skip-1/hostname");
  EXPECT_EQ(r.status, 200) << r.body;
  r = get("/api/node/silent-1/hostname");
  EXPECT_EQ(r.status, 500) << r.body;
  r = get("/api/node/_all/hostname");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["results"].size(), 4u) << r.body;

  r = get("/api/job");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["total_items"], 5);
  EXPECT_EQ(r.doc["status_counts"], json::parse(R"({"submitted":1,"processing":0,"completed":1,
      "failed":1,"partial_failure":1,"skipped":1})"));
  for (const char* s : {"submitted", "completed", "failed", "partial_failure"}) {
    Reply f = get(std::string("/api/job?status=") + s);
    EXPECT_EQ(f.doc["total_items"], 1) << s;
    ASSERT_EQ(f.doc["items"].size(), 1u) << s;
    EXPECT_EQ(f.doc["items"][0]["status"], s);
  }
  json failed = get("/api/job/" + ids_with("failed").at(0)).doc;
  EXPECT_EQ(failed["error"], "disk on fire");
  EXPECT_EQ(failed["hostname"], "bad-1");
  EXPECT_EQ(failed["agent_states"]["bad-1"]["status"], "failed");
  EXPECT_EQ(failed["agent_states"]["bad-1"]["error"], "disk on fire");
  json partial = get("/api/job/" + ids_with("partial_failure").at(0)).doc;
  EXPECT_EQ(partial["agent_states"]["agent-1"]["status"], "completed");
  EXPECT_EQ(partial["agent_states"]["bad-1"]["status"], "failed");
  EXPECT_EQ(partial["agent_states"]["skip-1"]["status"], "skipped");
  EXPECT_FALSE(partial["agent_states"].contains("silent-1"));
  EXPECT_EQ(partial["responses"].size(), 3u) << partial.dump();
  json submitted = get("/api/job/" + ids_with("submitted").at(0)).doc;
  EXPECT_FALSE(submitted.contains("agent_states"));
  EXPECT_EQ(submitted["timeline"].size(), 1u);
}

TEST_F(JobApi, GetCompletedJob) {
  start();
  const std::string id = hostname_job();
  Reply r = get("/api/job/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.doc;
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["hostname"], "agent-1");
  EXPECT_EQ(j["operation"], json::parse(R"({"type":"node.hostname.get","data":{}})"));
  EXPECT_TRUE(j["result"].is_object()) << r.body;
  EXPECT_FALSE(j.contains("responses"));  // one response
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(j["agent_states"]["agent-1"]["status"], "completed");
  EXPECT_TRUE(j["agent_states"]["agent-1"]["duration"].is_string());
  std::vector<std::string> events;
  for (const auto& e : j["timeline"]) events.push_back(e["event"]);
  EXPECT_EQ(events,
            (std::vector<std::string>{"submitted", "acknowledged", "started", "completed"}));
  EXPECT_EQ(j["timeline"][0]["message"], "Job submitted to queue");
  Clock::time_point t;
  EXPECT_TRUE(parse_rfc3339(j["created"].get<std::string>(), t));
  EXPECT_TRUE(parse_rfc3339(j["updated_at"].get<std::string>(), t));
}

TEST_F(JobApi, BroadcastResponsesKeyedByRawHostname) {
  start({"web-01.example.com", "db-1"});
  Reply b = get("/api/node/_all/hostname");
  ASSERT_EQ(b.status, 200) << b.body;
  json detail = get("/api/job/" + b.doc["job_id"].get<std::string>()).doc;
  ASSERT_TRUE(detail.contains("responses")) << detail.dump();
  EXPECT_EQ(detail["status"], "completed");
  EXPECT_TRUE(detail["responses"].contains("web-01.example.com"));
  EXPECT_TRUE(detail["responses"].contains("db-1"));
  EXPECT_EQ(detail["responses"]["db-1"]["status"], "completed");
  EXPECT_TRUE(detail["agent_states"].contains("web-01.example.com"));
  EXPECT_TRUE(detail["agent_states"].contains("db-1"));
  EXPECT_FALSE(detail.contains("result"));
}

TEST_F(JobApi, GetErrorsAndRecordWithoutEvents) {
  start({});
  Reply r = api_->call("GET", "/api/job/not-a-uuid");  // anonymous: binding first
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter id")) << r.body;
  const std::string missing = uuid_v4();
  r = get("/api/job/" + missing);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.doc, (json{{"error", "job not found: " + missing}}));
  EXPECT_EQ(api_->call("GET", "/api/job/" + missing).status, 401);
  const std::string bare = put_raw_record(json{{"operation", {{"type", "node.hostname.get"}}}});
  r = get("/api/job/" + bare);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.doc["status"], "submitted");
  EXPECT_FALSE(r.doc.contains("timeline"));
  EXPECT_FALSE(r.doc.contains("updated_at"));
}

TEST_F(JobApi, Delete) {
  start();
  const std::string id = hostname_job();
  EXPECT_EQ(api_->call("DELETE", "/api/job/" + id, "Bearer " + mint({"read"})).status, 403);
  Reply r = del("/api/job/" + id);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(get("/api/job/" + id).status, 404);
  EXPECT_EQ(get("/api/job").doc["total_items"], 0);
  r = del("/api/job/" + id);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.doc, (json{{"error", "job not found: " + id}}));
  r = del("/api/job/not-a-uuid");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter id"));
  EXPECT_EQ(api_->call("DELETE", "/api/job/" + id, "Bearer " + mint({"write"})).status, 404);
}

TEST_F(JobApi, RetryCreatesNewJobAndTimelineEntry) {
  start();
  const std::string original = hostname_job();
  Reply r = post("/api/job/" + original + "/retry", R"({"target_hostname":"_any"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string first = r.doc["job_id"];
  EXPECT_TRUE(is_uuid(first));
  EXPECT_NE(first, original);
  EXPECT_EQ(r.doc["status"], "unprocessed");
  EXPECT_GE(r.doc["revision"].get<int64_t>(), 1);
  Clock::time_point t;
  EXPECT_TRUE(parse_rfc3339(r.doc["timestamp"].get<std::string>(), t));
  // {} and no body both mean _any; a live hostname is a valid target.
  EXPECT_EQ(post("/api/job/" + original + "/retry", "{}").status, 201);
  EXPECT_EQ(api_->call("POST", "/api/job/" + original + "/retry", admin_, "", "").status, 201);
  EXPECT_EQ(post("/api/job/" + original + "/retry", R"({"target_hostname":"agent-1"})").status,
            201);

  json retried = wait_status(first, "completed");
  EXPECT_EQ(retried["operation"]["type"], "node.hostname.get");
  EXPECT_EQ(retried["hostname"], "agent-1");
  json old = get("/api/job/" + original).doc;
  EXPECT_EQ(old["status"], "completed");  // a retried event does not change the status
  ASSERT_FALSE(old["timeline"].empty());
  bool mentions_first = false;
  for (const auto& e : old["timeline"])
    if (e["event"] == "retried" && e["message"] == "Job retried as " + first) mentions_first = true;
  EXPECT_TRUE(mentions_first) << old.dump();
  EXPECT_EQ(old["timeline"].back()["event"], "retried");
  EXPECT_EQ(get("/api/job").doc["total_items"], 5);
}

TEST_F(JobApi, RetryErrors) {
  start();
  Reply r = post("/api/job/not-a-uuid/retry", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter id"));
  const std::string id = hostname_job();
  r = post("/api/job/" + id + "/retry", R"({"target_hostname":""})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc, (json{{"error",
                          "Key: 'RetryJobRequest.TargetHostname' Error:Field validation for "
                          "'TargetHostname' failed on the 'min' tag"}}));
  r = post("/api/job/" + id + "/retry", R"({"target_hostname":"nonexistent"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("error", ""), "valid_target")) << r.body;
  EXPECT_TRUE(contains(r.doc.value("error", ""), "target agent \"nonexistent\" not found"))
      << r.body;
  r = post("/api/job/" + id + "/retry", R"({"target_hostname":5})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Unmarshal type error")) << r.body;
  const std::string missing = uuid_v4();
  r = post("/api/job/" + missing + "/retry", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.doc, (json{{"error", "job not found: " + missing}}));
  const std::string no_op = put_raw_record(json::object());
  r = post("/api/job/" + no_op + "/retry", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc, (json{{"error", "job has no operation data: " + no_op}}));
  const std::string foreign = put_raw_record(json{{"operation", {{"type", "bogus.op.get"}}}});
  r = post("/api/job/" + foreign + "/retry", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc, (json{{"error", "job operation cannot be retried: bogus.op.get"}}));
}

// Retrying runs the stored operation again, so it also needs that operation's permission.
TEST_F(JobApi, RetryNeedsThePermissionOfTheRetriedOperation) {
  start();
  Reply r = post("/api/node/agent-1/command/exec", R"({"command":"echo","args":["hi"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string command_job = r.doc["job_id"];
  const std::string hostname = hostname_job();

  r = post("/api/job/" + command_job + "/retry", "{}", "Bearer " + mint({"write"}));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_TRUE(contains(r.doc.value("error", ""),
                       "Insufficient permissions. Required: [command:execute], resolved: map["))
      << r.body;
  r = post("/api/job/" + hostname + "/retry", "{}", "Bearer " + mint({"read"}, {"job:write"}));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_TRUE(contains(r.doc.value("error", ""), "Required: [node:read]")) << r.body;
  r = post("/api/job/" + command_job + "/retry", "{}", "Bearer " + mint({"read"}));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_TRUE(contains(r.doc.value("error", ""), "Required: [job:write]")) << r.body;

  EXPECT_EQ(post("/api/job/" + hostname + "/retry", "{}", "Bearer " + mint({"write"})).status, 201);
  r = post("/api/job/" + command_job + "/retry", "{}");  // admin
  ASSERT_EQ(r.status, 201) << r.body;
  json again = wait_status(r.doc["job_id"], "completed");
  EXPECT_EQ(again["result"]["stdout"], "hi\n");
}

// Jobs are no longer created or counted through /job routes of their own.
TEST_F(JobApi, RemovedRoutesAreGone) {
  start({});
  const std::string body = R"({"operation":{"type":"node.hostname.get"},"target_hostname":"_any"})";
  Reply r = post("/api/job", body);
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_EQ(r.doc, (json{{"message", "Method Not Allowed"}}));
  r = get("/api/job/status");  // now just a malformed job id
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Invalid format for parameter id")) << r.body;
  EXPECT_EQ(post("/job", body).status, 404);
  EXPECT_EQ(get("/job/status").status, 404);
  EXPECT_EQ(get("/api/job").doc["total_items"], 0);
}

// NATS down is no generic backend failure: 503 with the error body, at once.
TEST_F(JobApi, NatsDownIs503) {
  start({});
  const std::string id = put_raw_record(json{{"operation", {{"type", "node.hostname.get"}}}});
  nats_.stop();
  const auto begin = std::chrono::steady_clock::now();
  // The controller notices the closed connection on its own thread: poll the first answer.
  Reply r = get("/api/job");
  while (r.status != 503 && std::chrono::steady_clock::now() - begin < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = get("/api/job");
  }
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(get("/api/job/" + id).status, 503);
  EXPECT_EQ(del("/api/job/" + id).status, 503);
  r = post("/api/job/" + id + "/retry", "{}");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(r.doc.contains("error")) << r.body;
  EXPECT_EQ(get("/api/node/_any/hostname").status, 503);
  // Generous bound: the point is that nothing hangs.
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(120));
}
