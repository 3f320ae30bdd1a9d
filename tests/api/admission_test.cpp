// Nothing accepted is dropped silently: the real ApiServer in-process against a real
// nats-server with tiny limits. A full jobs stream or jobs bucket refuses submissions with 503
// naming it, counts the refusal on /metrics, turns /health/ready not-ready until space frees,
// and leaves no job "submitted" without a notification; jobs accepted before still run.
#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "api/server.h"
#include "auth/jwt.h"
#include "http/client.h"
#include "messaging/nats.h"
#include "process.h"

namespace osapi::api {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr const char* kKey = "admission-test-signing-key-0123456789";

struct Reply {
  int status = 0;
  std::string body;
  Json doc;
};

class AdmissionTest : public ::testing::Test {
 protected:
  // The API without agents; `customize` sets the limits.
  void start(const std::function<void(config::Config&)>& customize) {
    for (auto* n : {&cfg_.controller.nats, &cfg_.agent.nats}) {
      n->host = "127.0.0.1";
      n->port = nats_.port();
      n->namespace_ = "osapi";
    }
    cfg_.nats.server.namespace_ = "osapi";
    cfg_.controller.api.port = 0;
    cfg_.controller.api.signing_key = kKey;
    cfg_.controller.metrics.host = "127.0.0.1";
    cfg_.controller.metrics.port = 0;
    cfg_.agent.metrics.enabled = false;
    // Nobody answers until an agent starts: a short wait keeps each submission quick.
    cfg_.controller.api.job_timeout = 300ms;
    customize(cfg_);
    server_ = std::make_unique<ApiServer>(cfg_);
    auto st = server_->start();
    ASSERT_TRUE(st.ok()) << st.error().message;
    messaging::ConnectOptions o;
    o.url = nats_.url();
    auto c = messaging::Connection::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = *c;
  }
  void TearDown() override {
    if (agent_) agent_->stop(5s);
    if (server_) server_->stop(5s);
  }

  void start_agent() {
    config::Config c = cfg_;
    c.agent.hostname = "agent1";
    c.agent.machine_id_file = ids_.write("machine-id", "0123456789abcdef0123456789abcdef\n");
    agent_ = std::make_unique<agent::Agent>(c, "agent1");
    auto st = agent_->start();
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  Reply send(const std::string& method, const std::string& url) {
    http::ClientRequest req;
    req.method = method;
    req.url = url;
    req.headers.emplace_back(
        "Authorization",
        "Bearer " + auth::sign(auth::generate_claims({"admin"}, "ops@test", {}), kKey));
    req.timeout = 30s;
    auto r = http::request(req);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    Reply out;
    if (!r.ok()) return out;
    out.status = r->status;
    out.body = r->body;
    out.doc = Json::parse(out.body, nullptr, false);
    if (out.doc.is_discarded()) out.doc = nullptr;
    return out;
  }
  Reply api(const std::string& path, const std::string& method = "GET") {
    return send(method, "http://127.0.0.1:" + std::to_string(server_->port()) + path);
  }
  Reply probe(const std::string& path) {
    return send("GET", "http://127.0.0.1:" + std::to_string(server_->metrics_port()) + path);
  }
  // A query job on any agent.
  Reply submit() { return api("/api/node/_any/hostname"); }

  // The sample `osapi_jobs_refused_total{reason="<reason>"}`, -1 when absent.
  double refused(const std::string& reason) {
    const auto text = probe("/metrics").body;
    const std::regex re("osapi_jobs_refused_total\\{reason=\"" + reason + "\"\\} ([0-9.e+]+)");
    std::smatch m;
    if (!std::regex_search(text, m, re)) return -1;
    return std::stod(m[1]);
  }

  // Polls `done` every 100 ms for at most `limit` (the condition, not the time, is asserted).
  template <typename F>
  bool eventually(F done, std::chrono::milliseconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return done();
  }

  int64_t jobs_with_status(const std::string& status) {
    auto r = api("/api/job?limit=100&status=" + status);
    if (r.status != 200 || !r.doc.is_object()) return -1;
    return r.doc.value("total_items", int64_t{-1});
  }

  osapi::testing::NatsServer nats_;
  osapi::testing::TempDir ids_;
  config::Config cfg_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<agent::Agent> agent_;
  std::shared_ptr<messaging::Connection> conn_;
};

TEST_F(AdmissionTest, FullStreamRefusesWith503AndAcceptedJobsStillRun) {
  start([](config::Config& c) { c.nats.stream.max_msgs = 3; });
  if (HasFatalFailure()) return;
  auto info = conn_->stream_info("osapi-JOBS");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->discard, "new");

  // Three accepted jobs: nobody answers yet (500 timeout), their notifications wait.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(submit().status, 500) << i;
  EXPECT_EQ(refused("stream_full"), 0);
  EXPECT_EQ(probe("/health/ready").status, 200);

  // The fourth does not fit: refused, named, counted, and not left "submitted".
  auto r = submit();
  ASSERT_EQ(r.status, 503) << r.body;
  const std::string error = r.doc.value("error", "");
  EXPECT_NE(error.find("job stream osapi-JOBS is full (max_msgs 3): retry later"),
            std::string::npos)
      << error;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(error, m, std::regex("job ([0-9a-f-]{36}) not queued"))) << error;
  const std::string refused_id = m[1];
  EXPECT_EQ(refused("stream_full"), 1);

  auto job = api("/api/job/" + refused_id);
  ASSERT_EQ(job.status, 200) << job.body;
  EXPECT_EQ(job.doc.value("status", ""), "failed") << job.body;
  EXPECT_NE(job.doc.value("error", "").find("job stream osapi-JOBS is full"), std::string::npos)
      << job.body;
  EXPECT_EQ(jobs_with_status("submitted"), 3);
  EXPECT_EQ(jobs_with_status("failed"), 1);

  // Not ready while full, on the probe port and under /api.
  auto ready = probe("/health/ready");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("job stream osapi-JOBS is full"), std::string::npos) << ready.body;
  EXPECT_EQ(api("/api/health/ready").status, 503);

  // The accepted jobs were kept: an agent that starts now runs all three.
  start_agent();
  if (HasFatalFailure()) return;
  EXPECT_TRUE(eventually([&] { return jobs_with_status("completed") == 3; }))
      << api("/api/job?limit=100").body;

  // Processed notifications still count against max_msgs until they age out; removing one
  // frees room, and readiness recovers by itself.
  EXPECT_EQ(probe("/health/ready").status, 503);
  info = conn_->stream_info("osapi-JOBS");
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(conn_->delete_stream_message("osapi-JOBS", info->first_sequence).ok());
  EXPECT_TRUE(eventually([&] { return probe("/health/ready").status == 200; }));
  auto again = submit();
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(refused("stream_full"), 1);
}

TEST_F(AdmissionTest, FullJobBucketRefusesWith503NamingTheBucket) {
  start([](config::Config& c) { c.nats.kv.max_bytes = 4096; });
  if (HasFatalFailure()) return;
  Reply r;
  int accepted = 0;
  for (int i = 0; i < 40; ++i) {
    r = submit();
    if (r.status != 500) break;  // 500: accepted, nobody answered
    ++accepted;
  }
  ASSERT_EQ(r.status, 503) << r.body;
  EXPECT_GT(accepted, 0);
  const std::string error = r.doc.value("error", "");
  EXPECT_EQ(error, "job bucket osapi-job-queue is full (max_bytes 4096): retry later");
  EXPECT_EQ(refused("bucket_full"), 1);
  EXPECT_EQ(refused("stream_full"), 0);
  // The record itself did not fit: nothing half-written is left behind.
  EXPECT_EQ(jobs_with_status("submitted") + jobs_with_status("failed"), accepted);

  auto ready = probe("/health/ready");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("job bucket osapi-job-queue is full"), std::string::npos) << ready.body;

  // Space frees (an operator purges the bucket's stream, as `nats stream purge` does; message
  // deletes are refused on KV streams): ready again without any submission, then accepted.
  auto purged = conn_->request("$JS.API.STREAM.PURGE.KV_osapi-job-queue", "", 5s);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_NE(purged->find("\"success\":true"), std::string::npos) << *purged;
  EXPECT_TRUE(eventually([&] { return probe("/health/ready").status == 200; }))
      << probe("/health/ready").body;
  EXPECT_EQ(submit().status, 500);  // accepted again (nobody answers)
}

}  // namespace
}  // namespace osapi::api
