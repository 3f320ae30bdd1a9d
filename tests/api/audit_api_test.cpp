// Audit through the real ApiServer, a real nats-server (entries in the osapi-AUDIT stream) and
// (where a job runs) a real in-process agent.
#include <atomic>

#include "api/audit.h"
#include "auth_fixture.h"
#include "common/ids.h"

using namespace osapi;
using namespace osapi::api::auth_testing;
using json = nlohmann::json;

namespace {

const std::string kAdminUser = "user@example.com";

struct AuditFixture {
  osapi::testing::NatsServer nats;
  std::unique_ptr<Api> api;
  std::shared_ptr<messaging::Connection> conn;
  std::string admin = mint({"admin"}, {}, kAdminUser);

  explicit AuditFixture(const std::function<void(config::Config&)>& tweak = nullptr) {
    auto cfg = base_config(nats);
    if (tweak) tweak(cfg);
    api = std::make_unique<Api>(cfg);
    messaging::ConnectOptions o;
    o.url = nats.url();
    o.name = "audit-test";
    auto c = messaging::Connection::connect(o);
    EXPECT_TRUE(c.ok());
    if (!c.ok()) return;
    conn = *c;
  }
  ~AuditFixture() {
    api.reset();
    if (conn) conn->close();
  }

  bool audit_stream_exists() { return conn->stream_info("osapi-AUDIT").ok(); }
  size_t stored() {
    auto info = conn->stream_info("osapi-AUDIT");
    return info.ok() ? static_cast<size_t>(info->messages) : 0;
  }
  // Waits until exactly `n` entries are stored (writes are asynchronous).
  void settle(size_t n) {
    ASSERT_TRUE(audit_stream_exists());
    EXPECT_TRUE(eventually([&] { return stored() >= n; })) << "stored " << stored();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(stored(), n);
  }
  json list(const std::string& query = "") {
    auto r = api->get("/api/audit" + query, admin);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.doc;
  }
  bool registered(const std::string& method, const std::string& path) {
    auto r = api->call(method, path, "", method == "GET" ? "" : "{}");
    return r.status != 404 && r.status != 405;
  }
};

}  // namespace

TEST(AuditApi, AL1_AE1_ListAndExportCountEntries) {
  AuditFixture f;
  auto empty = f.api->get("/api/audit/export", f.admin);  // AE-1, 0 entries
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.doc["total_items"], 0);
  EXPECT_TRUE(empty.doc["items"].is_array() && empty.doc["items"].empty());
  f.settle(1);  // the export request itself
  auto listed = f.list();
  EXPECT_EQ(listed["total_items"], 1);  // AL-1
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["path"], "/api/audit/export");
  EXPECT_EQ(listed["items"][0]["operation_id"], "GetAuditExport");
  f.settle(2);
  auto exported = f.api->get("/api/audit/export", f.admin);
  EXPECT_EQ(exported.doc["total_items"], 2);
  EXPECT_EQ(exported.doc["items"][0]["path"], "/api/audit");  // newest first
}

TEST(AuditApi, AL2_AL3_AL4_Pagination) {
  AuditFixture f;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(f.api->get("/api/agent", f.admin).status, 200);
  f.settle(4);
  auto page = f.list("?limit=2&offset=1");
  EXPECT_EQ(page["total_items"], 4);
  EXPECT_EQ(page["items"].size(), 2u);
  auto far = f.list("?limit=5&offset=10");  // AL-2
  EXPECT_TRUE(far["items"].empty());
  for (const char* q : {"?limit=0", "?limit=200", "?offset=-1", "?limit=-1"}) {  // AL-3, AL-4
    auto r = f.api->get(std::string("/api/audit") + q, f.admin);
    EXPECT_EQ(r.status, 400) << q;
    ASSERT_TRUE(r.doc.is_object()) << r.body;
    EXPECT_TRUE(r.doc.contains("error")) << r.body;
  }
  EXPECT_NE(f.api->get("/api/audit?limit=0", f.admin).body.find("'Limit' failed on the 'min' tag"),
            std::string::npos);
  EXPECT_NE(f.api->get("/api/audit?limit=101", f.admin).body.find("'max' tag"), std::string::npos);
  auto junk = f.api->get("/api/audit?limit=abc", f.admin);
  EXPECT_EQ(junk.status, 400);
  EXPECT_NE(junk.body.find("\"message\":\"Invalid format for parameter limit"), std::string::npos);
}

TEST(AuditApi, AG1_AG2_AG3_GetById) {
  AuditFixture f;
  EXPECT_EQ(f.api->get("/api/agent", f.admin).status, 200);
  f.settle(1);
  auto listed = f.list();
  const std::string id = listed["items"][0]["id"];
  auto r = f.api->get("/api/audit/" + id, f.admin);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["entry"]["user"], kAdminUser);  // AG-1
  EXPECT_EQ(r.doc["entry"]["id"], id);
  std::string upper = id;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(f.api->get("/api/audit/" + upper, f.admin).status, 200);
  auto bad = f.api->get("/api/audit/not-a-uuid", f.admin);  // AG-2
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.doc.contains("message")) << bad.body;
  auto missing = f.api->get("/api/audit/" + uuid_v7(), f.admin);  // AG-3
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "{\"error\":\"audit entry not found\"}\n");
}

// AM-1, AU-15, AL-5: one authenticated job-backed request → exactly one complete entry.
TEST(AuditApi, AM1_AU15_AuthenticatedRequestIsRecordedOnce) {
  AuditFixture f;
  AgentRunner agent(f.api->cfg(), "agent1");
  const std::string token = mint({"admin"}, {}, "test-subject");
  auto r = f.api->get("/api/node/_any/hostname", token);
  ASSERT_EQ(r.status, 200) << r.body;
  f.settle(1);
  auto page = f.list();
  ASSERT_EQ(page["items"].size(), 1u);
  const auto& e = page["items"][0];
  EXPECT_EQ(e["user"], "test-subject");
  EXPECT_EQ(e["roles"], json::array({"admin"}));
  EXPECT_EQ(e["method"], "GET");
  EXPECT_EQ(e["path"], "/api/node/_any/hostname");
  EXPECT_EQ(e["operation_id"], "GetNodeHostname");
  EXPECT_EQ(e["response_code"], 200);
  EXPECT_EQ(e["source_ip"], "127.0.0.1");
  EXPECT_TRUE(e["duration_ms"].is_number_integer());
  EXPECT_EQ(e["id"].get<std::string>()[14], '7');
  const std::string ts = e["timestamp"];
  EXPECT_EQ(ts.size(), std::string("2026-02-26T22:41:07.123456Z").size()) << ts;
}

TEST(AuditApi, SourceIpPrefersForwardedHeaders) {
  AuditFixture f;
  f.api->call("GET", "/api/agent", "Bearer " + f.admin, "", "",
              {{"X-Forwarded-For", "10.1.2.3, 10.9.9.9"}});
  f.settle(1);
  f.api->call("GET", "/api/agent", "Bearer " + f.admin, "", "", {{"X-Real-IP", "10.4.5.6"}});
  f.settle(2);
  auto page = f.list();
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["source_ip"], "10.4.5.6");
  EXPECT_EQ(page["items"][1]["source_ip"], "10.1.2.3");
}

// AM-2: nothing before auth, no 401s, no health or metrics paths.
TEST(AuditApi, AM2_UnauthenticatedAndExemptRequestsAreNotRecorded) {
  AuditFixture f;
  EXPECT_EQ(f.api->get("/api/agent", "").status, 401);
  EXPECT_EQ(f.api->get("/api/agent", "garbage").status, 401);
  EXPECT_EQ(f.api->get("/api/health", "").status, 200);
  EXPECT_EQ(f.api->get("/api/health/ready", "").status, 200);
  f.api->get("/metrics", f.admin);  // not on the API port, and exempt by prefix anyway
  EXPECT_EQ(f.api->get("/nope", f.admin).status, 404);
  EXPECT_EQ(f.api->get("/api/audit/not-a-uuid", f.admin).status, 400);
  EXPECT_EQ(f.api->call("DELETE", "/api/agent", "Bearer " + f.admin).status, 405);
  EXPECT_EQ(f.api->get("/api/agent", f.admin).status, 200);  // the marker: the only entry
  f.settle(1);
  auto page = f.list();
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["path"], "/api/agent");
}

// AM-4: a 403 is recorded with its status.
TEST(AuditApi, AM4_ForbiddenRequestIsRecorded) {
  AuditFixture f;
  const std::string rn = mint({"read"}, {"network:read"}, "rn@example.com");
  std::string path = "/api/node/_any/command/exec";
  if (!f.registered("POST", path)) path = "/api/audit";  // until the command routes exist
  const std::string method = path == "/api/audit" ? "GET" : "POST";
  auto r = f.api->call(method, path, "Bearer " + rn, method == "POST" ? R"({"command":"ls"})" : "");
  EXPECT_EQ(r.status, 403) << r.body;
  f.settle(1);
  auto page = f.list();
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["response_code"], 403);
  EXPECT_EQ(page["items"][0]["user"], "rn@example.com");
  EXPECT_EQ(page["items"][0]["path"], path);
}

// AL-7 in-process: newest first, v7 ids.
TEST(AuditApi, AL7_NewestFirstWithV7Ids) {
  AuditFixture f;
  EXPECT_EQ(f.api->get("/api/agent", f.admin).status, 200);
  f.settle(1);
  EXPECT_EQ(f.api->get("/api/audit/export", f.admin).status, 200);
  f.settle(2);
  auto page = f.list();
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["path"], "/api/audit/export");
  EXPECT_EQ(page["items"][1]["path"], "/api/agent");
  EXPECT_GT(page["items"][0]["id"].get<std::string>(), page["items"][1]["id"].get<std::string>());
}

// AL-6, AG-3 (other error), AE-1 (store error): the backend is gone.
TEST(AuditApi, AL6_AE1_AG3_StoreErrorsAre500) {
  AuditFixture f;
  f.nats.stop();
  auto list = f.api->get("/api/audit", f.admin);
  EXPECT_EQ(list.status, 500);
  EXPECT_EQ(list.body, "{\"error\":\"failed to list audit entries\"}\n");
  auto exported = f.api->get("/api/audit/export", f.admin);
  EXPECT_EQ(exported.status, 500);
  EXPECT_EQ(exported.body, "{\"error\":\"failed to list all audit entries\"}\n");
  auto one = f.api->get("/api/audit/" + uuid_v7(), f.admin);
  EXPECT_EQ(one.status, 500);
  EXPECT_EQ(one.body, "{\"error\":\"failed to get audit entry\"}\n");
}

// AX-1: audit disabled → no routes, no stream, no entries.
TEST(AuditApi, AX1_DisabledAuditHasNoRoutesAndWritesNothing) {
  AuditFixture f([](config::Config& c) { c.nats.audit.stream = ""; });
  EXPECT_FALSE(f.audit_stream_exists()) << "no audit stream is provisioned";
  EXPECT_EQ(f.api->get("/api/agent", f.admin).status, 200);
  for (const char* p :
       {"/api/audit", "/api/audit/export", "/api/audit/550e8400-e29b-41d4-a716-446655440000"}) {
    auto r = f.api->get(p, f.admin);
    EXPECT_EQ(r.status, 404) << p;
    EXPECT_EQ(r.body, "{\"message\":\"Not Found\"}\n");
  }
  EXPECT_FALSE(f.audit_stream_exists());
  EXPECT_FALSE(f.conn->key_value("osapi-audit-log").ok()) << "the old audit KV is gone for good";
}

// The stream's settings come from nats.audit.* and the subject prefix from nats.audit.subject.
TEST(AuditApi, StreamNameAndSubjectFollowConfig) {
  AuditFixture f([](config::Config& c) {
    c.nats.audit.stream = "TRAIL";
    c.nats.audit.subject = "trail";
    c.nats.audit.max_age = std::chrono::hours(48);
  });
  auto info = f.conn->stream_info("osapi-TRAIL");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->subjects, (std::vector<std::string>{"osapi.trail.>"}));
  EXPECT_EQ(info->max_age, std::chrono::nanoseconds(std::chrono::hours(48)));
  EXPECT_EQ(f.api->get("/api/agent", f.admin).status, 200);
  ASSERT_TRUE(eventually([&] { return f.conn->stream_info("osapi-TRAIL")->messages == 1; }));
  const std::string id = f.list()["items"][0]["id"];
  auto msg = f.conn->last_stream_message("osapi-TRAIL", "osapi.trail." + id);
  ASSERT_TRUE(msg.ok() && msg->has_value());
  EXPECT_EQ(json::parse((*msg)->data)["path"], "/api/agent");
}

// 2,000 requests from 4 concurrent clients: one entry each, none dropped or failed.
TEST(AuditApi, EveryRequestOfALoadIsRecorded) {
  AuditFixture f;
  const uint64_t failures_before = api::audit_write_failures();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  const auto started = std::chrono::steady_clock::now();
  for (int t = 0; t < kThreads; ++t)
    clients.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i)
        if (f.api->get("/api/agent", f.admin).status == 200) ++ok;
    });
  for (auto& c : clients) c.join();
  const auto answered = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(ok.load(), kThreads * kPerThread);
  f.settle(kThreads * kPerThread);
  std::printf(
      "[ measure  ] %d requests answered in %.0f ms, all entries stored %.0f ms after the "
      "first request\n",
      kThreads * kPerThread, std::chrono::duration<double, std::milli>(answered).count(),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started -
                                                std::chrono::milliseconds(100))
          .count());
  EXPECT_EQ(api::audit_write_failures(), failures_before);
  auto page = f.list("?limit=100&offset=1900");
  EXPECT_EQ(page["total_items"], kThreads * kPerThread);
  EXPECT_EQ(page["items"].size(), 100u);
  for (const auto& e : page["items"]) EXPECT_EQ(e["path"], "/api/agent");
}
