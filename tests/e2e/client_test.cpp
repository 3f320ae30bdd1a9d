// Client commands against the real stack (smoke rows of the acceptance list).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stack.h"

using namespace osapi::testing;

namespace {
StackOptions two_agents() {
  StackOptions o;
  o.exporter = "";
  o.agents = {{{"OSAPI_AGENT_HOSTNAME", "agent-a"}, {"OSAPI_AGENT_LABELS", "{group: web.dev}"}},
              {{"OSAPI_AGENT_HOSTNAME", "agent-b"}, {"OSAPI_AGENT_LABELS", "{group: db}"}}};
  return o;
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}
}  // namespace

TEST(E2EClient, HealthAgentListStatusAndJobGet) {
  Stack stack(two_agents());
  stack.start_all();

  auto r = stack.osapi({"client", "health", "liveness"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Status: ok")) << r.out;
  r = stack.osapi({"client", "health", "ready"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Status: ready")) << r.out;

  r = stack.osapi({"client", "agent", "list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "HOSTNAME") && has(r.out, "LABELS")) << r.out;
  EXPECT_TRUE(has(r.out, "agent-a") && has(r.out, "agent-b")) << r.out;
  EXPECT_TRUE(has(r.out, "group:web.dev")) << r.out;
  r = stack.osapi({"-j", "client", "agent", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["total"], 2) << r.out;
  r = stack.osapi({"client", "agent", "get", "--hostname", "agent-a"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Hostname: agent-a")) << r.out;

  // E2E-6: one host gets the detail lines after its row.
  r = stack.osapi({"client", "node", "status", "-T", "agent-a"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "UPTIME") && has(r.out, "agent-a")) << r.out;
  EXPECT_TRUE(has(r.out, "Load: ")) << r.out;
  EXPECT_TRUE(has(r.out, "Memory: ")) << r.out;
  EXPECT_TRUE(has(r.out, "1 host: 1 ok")) << r.out;

  // Broadcast to both agents (the default target); a label reaches only the matching one.
  r = stack.osapi({"client", "node", "hostname", "get"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "2 hosts: 2 ok")) << r.out;
  r = stack.osapi({"-j", "client", "node", "hostname", "get", "-T", "_all"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["results"].size(), 2u) << r.out;
  r = stack.osapi({"-j", "client", "node", "hostname", "get", "-T", "group:web"});
  ASSERT_EQ(r.code, 0) << r.err;
  body = nlohmann::json::parse(r.out);
  ASSERT_EQ(body["results"].size(), 1u) << r.out;
  EXPECT_EQ(body["results"][0]["hostname"], "agent-a");
  EXPECT_EQ(body["results"][0]["status"], "ok");
  EXPECT_EQ(body["results"][0]["labels"]["group"], "web.dev");

  // The job stays readable: GET /api/job/{id} shows the computed status and timeline.
  const std::string job_id = body["job_id"];
  r = stack.osapi({"client", "job", "get", "--job-id", job_id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Status: completed")) << r.out;
  EXPECT_TRUE(has(r.out, "Timeline:")) << r.out;
  r = stack.osapi({"-j", "client", "job", "get", "--job-id", job_id});
  ASSERT_EQ(r.code, 0);
  body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["status"], "completed");
  EXPECT_EQ(body["operation"]["type"], "node.hostname.get");
  EXPECT_TRUE(body.contains("agent_states"));

  // Malformed job id fails before any request; unknown job is a 404.
  r = stack.osapi({"client", "job", "get", "--job-id", "nope"});
  EXPECT_EQ(r.code, 1);
  r = stack.osapi({"client", "job", "get", "--job-id", "9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(has(r.err, "API returned 404 Not Found: job not found")) << r.err;
}

TEST(E2EClient, AgentStopsGracefullyAndDeregisters) {
  Stack stack(two_agents());
  stack.start_all();
  EXPECT_EQ(stack.agent(1)->stop(), 0);
  EXPECT_TRUE(has(stack.agent(1)->err(), "agent stopped gracefully"));
  auto r = stack.osapi({"-j", "client", "agent", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["total"], 1);
  EXPECT_EQ(stack.api()->stop(), 0);
  EXPECT_TRUE(has(stack.api()->err(), "controller stopped"));
  EXPECT_EQ(stack.nats()->stop(), 0);
}

TEST(E2EClient, CL9_BroadcastWithAFailingHostExitsOne) {
  StackOptions o;
  o.exporter = "";
  // agent-b cannot find any command on its PATH, so its half of the broadcast fails.
  o.agents = {{{"OSAPI_AGENT_HOSTNAME", "agent-a"}},
              {{"OSAPI_AGENT_HOSTNAME", "agent-b"}, {"PATH", "/nonexistent-osapi-path"}}};
  Stack stack(o);
  stack.start_all();
  // The default target is _all: the confirmation is answered on stdin.
  auto r = stack.osapi({"client", "node", "command", "exec", "--command", "true"}, {}, "y\n");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "agent-a") && has(r.out, "agent-b")) << r.out;
  EXPECT_TRUE(has(r.out, " err")) << r.out;  // agent-b's STATUS cell
  // A command counts as a change on the host that ran it.
  EXPECT_TRUE(has(r.out, "2 hosts: 1 changed, 1 failed")) << r.out;
  EXPECT_TRUE(has(r.out, "Details:")) << r.out;
  EXPECT_TRUE(has(r.err, "Error: 1 of 2 hosts failed")) << r.err;
}

TEST(E2EClient, AgentFinishesRunningJobOnSigterm) {
  StackOptions o;
  o.exporter = "";
  Stack stack(o);
  stack.start_all();
  // The command waits for its job while the agent is told to stop in the middle of it.
  Process cli({OSAPI_BINARY, "-f", stack.config_path(), "-j", "client", "node", "command", "exec",
               "--command", "sleep", "--args", "2", "-T", "_any"});
  ASSERT_TRUE(stack.agent()->wait_output("processing job", std::chrono::seconds(10)));
  EXPECT_EQ(stack.agent()->stop(std::chrono::seconds(15)), 0);  // SIGTERM mid-job
  const std::string log = stack.agent()->err();
  EXPECT_TRUE(has(log, "job processing completed")) << log;
  EXPECT_TRUE(has(log, "agent stopped gracefully")) << log;
  EXPECT_LT(log.find("agent shutting down"), log.find("job processing completed")) << log;
  ASSERT_EQ(cli.wait(std::chrono::seconds(30)), 0) << cli.err();
  const auto body = nlohmann::json::parse(cli.out(), nullptr, false);
  ASSERT_TRUE(body.is_object()) << cli.out();
  EXPECT_EQ(body["results"][0]["exit_code"], 0) << cli.out();
  auto get =
      stack.osapi({"-j", "client", "job", "get", "--job-id", body["job_id"].get<std::string>()});
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_EQ(nlohmann::json::parse(get.out)["status"], "completed") << get.out;
}
