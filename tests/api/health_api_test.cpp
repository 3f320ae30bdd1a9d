// Health routes (/api/health, /api/health/ready, /api/health/status, /api/version and the
// probes of the metrics server) against the real ApiServer and a real nats-server; failures are
// produced for real (server stopped, streams deleted).
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/handlers.h"
#include "common/version.h"
#include "health_fixture.h"
#include "job/client.h"

using namespace osapi;
using api::testing::ApiFixture;
using json = nlohmann::json;

namespace {

json parse(const http::ClientResponse& r) {
  json j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

std::shared_ptr<messaging::Connection> connect(const ApiFixture& f) {
  messaging::ConnectOptions o;
  o.url = f.nats.url();
  o.name = "health-test";
  o.reconnect_forever = false;
  auto c = messaging::Connection::connect(o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : nullptr;
}

// Deletes a stream through the JetStream API (makes a lookup fail for real).
void delete_stream(messaging::Connection& conn, const std::string& stream) {
  auto r = conn.request("$JS.API.STREAM.DELETE." + stream, "", std::chrono::seconds(5));
  ASSERT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  ASSERT_NE(r->find("\"success\":true"), std::string::npos) << *r;
}

// Polls `path` until it answers `status` (the client notices a dead server asynchronously).
http::ClientResponse wait_status(ApiFixture& f, const std::string& path, int status,
                                 const std::string& token = "") {
  http::ClientResponse r;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    r = f.get(path, token);
    if (r.status == status) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return r;
}

const json* find_named(const json& list, const std::string& name) {
  for (const auto& e : list)
    if (e.value("name", "") == name) return &e;
  return nullptr;
}

}  // namespace

TEST(HealthApi, HE1_LivenessIsOk) {
  ApiFixture f;
  auto r = f.get("/api/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(parse(r), json({{"status", "ok"}}));
}

TEST(HealthApi, HE2_ReadyWhenNatsAndKvAreUp) {
  ApiFixture f;
  auto r = f.get("/api/health/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(parse(r), json({{"status", "ready"}}));
}

TEST(HealthApi, ProbesNeedNoTokenAndIgnoreOne) {
  ApiFixture f;
  EXPECT_EQ(f.get("/api/health", "garbage").status, 200);
  EXPECT_EQ(f.get("/api/health/ready", "garbage").status, 200);
  EXPECT_EQ(f.call("POST", "/api/health").status, 405);
}

// The metrics server answers the same probes, on its own port, with no /api prefix.
TEST(HealthApi, MetricsServerServesTheProbes) {
  ApiFixture f;
  ASSERT_NE(f.server->metrics_port(), 0);
  ASSERT_NE(f.server->metrics_port(), f.server->port());
  auto h = f.metrics_get("/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(parse(h), json({{"status", "ok"}}));
  auto r = f.metrics_get("/health/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(parse(r), json({{"status", "ready"}}));
  EXPECT_EQ(f.metrics_get("/api/health").status, 404);
  // And the API port has no un-prefixed probes.
  EXPECT_EQ(f.get("/health").status, 404);
  f.nats.stop();
  http::ClientResponse down;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    down = f.metrics_get("/health/ready");
    if (down.status == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(down.status, 503);
  EXPECT_EQ(parse(down)["status"], "not_ready");
  EXPECT_EQ(f.metrics_get("/health").status, 200);
}

TEST(HealthApi, MetricsServerCanBeDisabled) {
  ApiFixture f([](config::Config& c) { c.controller.metrics.enabled = false; });
  EXPECT_EQ(f.server->metrics_port(), 0);
  EXPECT_EQ(f.get("/api/health").status, 200);
}

TEST(HealthApi, HE3_HE4_NotReadyWhenNatsIsDown) {
  ApiFixture f;
  f.nats.stop();
  auto r = wait_status(f, "/api/health/ready", 503);
  ASSERT_EQ(r.status, 503);
  const json j = parse(r);
  EXPECT_EQ(j["status"], "not_ready");
  const std::string err = j["error"];
  EXPECT_NE(err.find("NATS not connected"), std::string::npos) << err;
  EXPECT_NE(err.find("KV bucket not accessible"), std::string::npos) << err;
  // Liveness checks nothing else.
  EXPECT_EQ(f.get("/api/health").status, 200);
}

TEST(HealthApi, HE4_NotReadyWhenJobsBucketIsGone) {
  ApiFixture f;
  auto conn = connect(f);
  ASSERT_TRUE(conn);
  delete_stream(*conn, "KV_osapi-job-queue");
  auto r = wait_status(f, "/api/health/ready", 503);
  ASSERT_EQ(r.status, 503);
  const std::string err = parse(r)["error"];
  EXPECT_NE(err.find("KV bucket not accessible"), std::string::npos) << err;
  EXPECT_EQ(err.find("NATS not connected"), std::string::npos) << err;
}

TEST(HealthApi, HE5_StatusReportsComponentsStreamsBucketsAndJobCounts) {
  ApiFixture f;
  auto conn = connect(f);
  ASSERT_TRUE(conn);
  const auto names = job::Names::from(f.cfg, "osapi");
  auto kv = conn->key_value(names.jobs_bucket);
  ASSERT_TRUE(kv.ok());
  job::JobClient jobs(conn, *kv, names);
  auto target = job::parse_target("_any");
  ASSERT_TRUE(target.ok());
  // One job per outcome; agent events are written as an agent would write them.
  const std::vector<std::vector<std::pair<std::string, std::string>>> plans = {
      {},                                       // submitted → unprocessed
      {{"h1", "started"}},                      // processing
      {{"h1", "completed"}},                    // completed
      {{"h1", "failed"}},                       // failed
      {{"h1", "completed"}, {"h2", "failed"}},  // partial_failure
  };
  int64_t nano = unix_nano();
  for (const auto& plan : plans) {
    auto sub = jobs.submit(json{{"type", "node.hostname.get"}, {"data", json::object()}}, *target,
                           job::OpKind::kQuery);
    ASSERT_TRUE(sub.ok()) << sub.error().message;
    for (const auto& [host, event] : plan) {
      job::StatusEvent e;
      e.job_id = sub->job_id;
      e.event = event;
      e.hostname = host;
      e.unix_nano = ++nano;
      ASSERT_TRUE((*kv)->put(e.key(), e.to_json().dump()).ok());
    }
  }

  auto r = f.get("/api/health/status", ApiFixture::admin());
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = parse(r);
  EXPECT_EQ(j["status"], "ok");
  const json& c = j["components"];
  EXPECT_EQ(c["controller.nats (connectivity)"], json({{"status", "ok"}}));
  EXPECT_EQ(c["controller.kv (connectivity)"], json({{"status", "ok"}}));
  EXPECT_EQ(c["controller.api"]["status"], "ok");
  EXPECT_EQ(c["controller.api"]["address"], "http://0.0.0.0:" + std::to_string(f.server->port()));
  EXPECT_EQ(c["controller.metrics"]["status"], "ok");
  EXPECT_EQ(c["controller.heartbeat"]["status"], "ok");
  for (const char* off : {"controller.notifier", "controller.pki", "controller.ui"})
    EXPECT_EQ(c[off]["status"], "disabled") << off;
  // The controller's own heartbeat entry shows in the registry.
  bool controller_seen = false;
  for (const auto& e : j["registry"])
    if (e["type"] == "controller") controller_seen = true;
  EXPECT_TRUE(controller_seen) << j["registry"].dump();
  EXPECT_TRUE(j["consumers"]["total"].is_number());
  EXPECT_EQ(j["version"], osapi::version());
  EXPECT_TRUE(j["uptime"].is_string());
  EXPECT_EQ(j["nats"]["url"], f.nats.url());
  EXPECT_FALSE(j["nats"]["version"].get<std::string>().empty());

  const json* stream = find_named(j["streams"], "osapi-JOBS");
  ASSERT_NE(stream, nullptr) << j.dump();
  EXPECT_EQ((*stream)["messages"], 5);
  EXPECT_GT((*stream)["bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE((*stream)["consumers"].is_number());
  ASSERT_NE(find_named(j["streams"], "osapi-JOBS-DLQ"), nullptr) << j.dump();

  const json* bucket = find_named(j["kv_buckets"], "osapi-job-queue");
  ASSERT_NE(bucket, nullptr) << j.dump();
  // 5 records + 5 submitted events + 5 agent events.
  EXPECT_EQ((*bucket)["keys"], 15);
  EXPECT_GT((*bucket)["bytes"].get<uint64_t>(), 0u);
  EXPECT_NE(find_named(j["kv_buckets"], "osapi-agent-registry"), nullptr) << j.dump();
  const json* objects = find_named(j["object_stores"], "osapi-file-objects");
  ASSERT_NE(objects, nullptr) << j.dump();
  EXPECT_EQ((*objects)["size"], 0);

  EXPECT_EQ(j["jobs"], json::parse(R"({"total":5,"unprocessed":1,"processing":1,"completed":1,
                                       "failed":1,"dlq":0})"));
}

TEST(HealthApi, HE7_StatusDegradedWhenNatsIsDown) {
  ApiFixture f;
  f.nats.stop();
  auto r = wait_status(f, "/api/health/status", 503, ApiFixture::admin());
  ASSERT_EQ(r.status, 503) << r.body;
  const json j = parse(r);
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_EQ(j["components"]["controller.nats (connectivity)"]["status"], "error");
  EXPECT_EQ(j["components"]["controller.nats (connectivity)"]["error"], "NATS not connected");
  EXPECT_EQ(j["components"]["controller.kv (connectivity)"]["status"], "error");
  EXPECT_EQ(j["version"], osapi::version());
  EXPECT_TRUE(j.contains("uptime"));
  // Lookups that cannot work are left out.
  EXPECT_FALSE(j.contains("nats"));
  EXPECT_FALSE(j.contains("jobs"));
}

TEST(HealthApi, HE7_StatusDegradedWhenOnlyKvFails) {
  ApiFixture f;
  auto conn = connect(f);
  ASSERT_TRUE(conn);
  delete_stream(*conn, "KV_osapi-job-queue");
  auto r = wait_status(f, "/api/health/status", 503, ApiFixture::admin());
  ASSERT_EQ(r.status, 503) << r.body;
  const json j = parse(r);
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_EQ(j["components"]["controller.nats (connectivity)"], json({{"status", "ok"}}));
  const json& kv = j["components"]["controller.kv (connectivity)"];
  EXPECT_EQ(kv["status"], "error");
  EXPECT_NE(kv["error"].get<std::string>().find("KV bucket not accessible"), std::string::npos);
  EXPECT_EQ(find_named(j.value("kv_buckets", json::array()), "osapi-job-queue"), nullptr);
}

TEST(HealthApi, HE8_FailedLookupsAreOmittedWithoutChangingStatus) {
  ApiFixture f;
  auto conn = connect(f);
  ASSERT_TRUE(conn);
  delete_stream(*conn, "osapi-JOBS-DLQ");
  delete_stream(*conn, "KV_osapi-agent-registry");
  auto r = f.get("/api/health/status", ApiFixture::admin());
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = parse(r);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_NE(find_named(j["streams"], "osapi-JOBS"), nullptr);
  EXPECT_EQ(find_named(j["streams"], "osapi-JOBS-DLQ"), nullptr);
  EXPECT_NE(find_named(j["kv_buckets"], "osapi-job-queue"), nullptr);
  EXPECT_EQ(find_named(j["kv_buckets"], "osapi-agent-registry"), nullptr);
  EXPECT_FALSE(j.contains("jobs"));  // its dlq count cannot be read
}

TEST(HealthApi, HE9_StatusNeedsHealthRead) {
  ApiFixture f;
  auto none = f.get("/api/health/status");
  EXPECT_EQ(none.status, 401);
  EXPECT_TRUE(parse(none).contains("error"));
  auto rj = f.get("/api/health/status", ApiFixture::token({"read"}, {"job:read"}));
  EXPECT_EQ(rj.status, 403);
  EXPECT_NE(rj.body.find("Insufficient permissions"), std::string::npos) << rj.body;
  EXPECT_EQ(f.get("/api/health/status", ApiFixture::token({"read"})).status, 200);
}

TEST(HealthApi, HE10_UptimeIsGoDurationOfWholeSeconds) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  EXPECT_EQ(api::format_uptime(seconds(45)), "45s");
  EXPECT_EQ(api::format_uptime(seconds(9000)), "2h30m0s");
  EXPECT_EQ(api::format_uptime(seconds(26 * 3600 + 5)), "26h0m5s");
  EXPECT_EQ(api::format_uptime(milliseconds(1600)), "2s");
  EXPECT_EQ(api::format_uptime(milliseconds(0)), "0s");
}

TEST(HealthApi, RQ6_VersionNeedsNoTokenAndMatchesHealthStatus) {
  ApiFixture f;
  auto v = f.get("/api/version");
  ASSERT_EQ(v.status, 200);
  EXPECT_EQ(parse(v), json({{"version", osapi::version()}}));
  auto s = f.get("/api/health/status", ApiFixture::admin());
  EXPECT_EQ(parse(v), json({{"version", parse(s)["version"]}}));
}
