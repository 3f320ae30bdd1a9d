// `osapi nats server start` owns its nats-server: kill -9 of the supervisor takes the broker
// along and leaves no temp files; a new supervisor on the same port and store dir brings the
// streams and jobs back, and the controller and agent that kept running reconnect by
// themselves. A broker left by an older supervisor is named in one line.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "stack.h"

using namespace osapi::testing;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// Polls `osapi …` until it exits 0, up to `timeout`; returns the last result.
RunResult poll_ok(Stack& stack, const std::vector<std::string>& args,
                  std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  RunResult r = stack.osapi(args);
  while (r.code != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(500ms);
    r = stack.osapi(args);
  }
  return r;
}

// The nats-server child of the running supervisor.
pid_t broker_of(Process& supervisor) {
  const auto children = child_pids(supervisor.pid());
  return children.size() == 1 ? children.front() : 0;
}

}  // namespace

TEST(E2ESupervisor, KillNineOfTheSupervisorRecoversOnRestart) {
  TempDir tmp;  // TMPDIR and XDG_RUNTIME_DIR of the supervisor: must stay empty
  StackOptions opts;
  opts.tracing = false;
  opts.nats_env = {{"TMPDIR", tmp.path()}, {"XDG_RUNTIME_DIR", tmp.path()}};
  Stack stack(opts);
  stack.start_all();

  auto r = stack.osapi({"-j", "client", "node", "hostname", "get", "-T", "_any"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string job_id = json::parse(r.out).value("job_id", "");
  ASSERT_EQ(job_id.size(), 36u) << r.out;
  r = poll_ok(stack, {"-j", "client", "job", "get", "--job-id", job_id}, 30s);
  ASSERT_EQ(r.code, 0) << r.err;

  const pid_t broker = broker_of(*stack.nats());
  ASSERT_GT(broker, 0);
  stack.nats()->signal(SIGKILL);
  EXPECT_EQ(stack.nats()->wait(20s), 128 + SIGKILL);
  EXPECT_TRUE(wait_process_gone(broker, 20s)) << "nats-server outlived its supervisor";
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));

  // NATS down: the controller answers 503 with its error body, within the request's bound
  // (curl gives up at 25 s, before the 30 s job timeout). Readiness first: the controller
  // notices the lost connection on its own thread.
  const auto ready_deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    r = stack.curl({"-w", "\n%{http_code}", stack.api_url() + "/api/health/ready"});
    if (has(r.out, "\n503") || std::chrono::steady_clock::now() >= ready_deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(has(r.out, "\n503")) << r.out;
  const std::string bearer = "Authorization: Bearer " + stack.token();
  r = stack.curl({"--max-time", "25", "-w", "\n%{http_code}", "-H", bearer,
                  stack.api_url() + "/api/node/_any/hostname"});
  EXPECT_TRUE(has(r.out, "\n503")) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "{\"error\":\"NATS not connected")) << r.out;
  r = stack.curl({"--max-time", "25", "-w", "\n%{http_code}", "-H", bearer,
                  stack.api_url() + "/api/job/" + job_id});
  EXPECT_TRUE(has(r.out, "\n503")) << r.out << r.err;

  // Same port, same store dir: the stale broker is gone, so it binds, and provisioning passes
  // over the recovered streams and buckets.
  stack.start_nats();
  EXPECT_TRUE(has(stack.nats()->out() + stack.nats()->err(),
                  "JetStream infrastructure configured successfully"));

  // The controller and agent were never restarted: they reconnect on their own.
  r = poll_ok(stack, {"client", "node", "hostname", "get"}, 60s);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "1 host: 1 ok")) << r.out;
  EXPECT_TRUE(stack.api()->running());
  EXPECT_TRUE(stack.agent()->running());
  EXPECT_TRUE(has(stack.api()->out() + stack.api()->err(), "NATS connection restored"));
  EXPECT_TRUE(has(stack.agent()->out() + stack.agent()->err(), "NATS connection restored"));

  // The job from before the kill survived in the store.
  r = stack.osapi({"client", "job", "get", "--job-id", job_id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, job_id)) << r.out;
  EXPECT_TRUE(has(r.out, "Status: completed")) << r.out;
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(E2ESupervisor, BrokerLeftOnThePortIsNamedInOneLine) {
  Stack stack;
  Process stale({nats_server_bin(), "-a", "127.0.0.1", "-p", std::to_string(stack.nats_port())});
  ASSERT_TRUE(wait_port_open(stack.nats_port(), 30s));

  auto r = stack.osapi({"nats", "server", "start"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  const std::string out = r.out + r.err;
  const std::string line = "127.0.0.1:" + std::to_string(stack.nats_port()) +
                           ": address already in use, held by pid " + std::to_string(stale.pid()) +
                           " (nats-server)";
  EXPECT_TRUE(has(out, line)) << out;
  EXPECT_EQ(out.find("failed to start embedded NATS server"),
            out.rfind("failed to start embedded NATS server"))
      << out;
  EXPECT_TRUE(stale.running());
}
