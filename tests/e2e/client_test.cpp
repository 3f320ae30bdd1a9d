// Client commands against the real stack (spec/acceptance.md §11 smoke rows).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stack.h"

using namespace osapi::testing;

namespace {
StackOptions two_agents() {
  StackOptions o;
  o.exporter = "";
  o.agents = {
      {{"OSAPI_NODE_AGENT_HOSTNAME", "agent-a"}, {"OSAPI_NODE_AGENT_LABELS", "{group: web.dev}"}},
      {{"OSAPI_NODE_AGENT_HOSTNAME", "agent-b"}, {"OSAPI_NODE_AGENT_LABELS", "{group: db}"}}};
  return o;
}
}  // namespace

TEST(E2EClient, HealthListStatusAndJobGet) {
  Stack stack(two_agents());
  stack.start_all();

  auto r = stack.osapi({"client", "health"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Status: ok"), std::string::npos);
  r = stack.osapi({"client", "health", "ready"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Status: ready"), std::string::npos);

  r = stack.osapi({"client", "node", "list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Active Agents (2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("agent-a"), std::string::npos);

  // E2E-6: detail view for one host.
  r = stack.osapi({"client", "node", "status", "-T", "agent-a"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Hostname:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Memory:"), std::string::npos) << r.out;

  // Broadcast to both agents; label target reaches only the matching one.
  r = stack.osapi({"-j", "client", "node", "hostname", "-T", "_all"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["results"].size(), 2u) << r.out;
  r = stack.osapi({"-j", "client", "node", "hostname", "-T", "group:web"});
  ASSERT_EQ(r.code, 0) << r.err;
  body = nlohmann::json::parse(r.out);
  ASSERT_EQ(body["results"].size(), 1u) << r.out;
  EXPECT_EQ(body["results"][0]["labels"]["group"], "web.dev");

  // The job stays readable: GET /job/{id} shows the computed status and timeline.
  const std::string job_id = body["job_id"];
  r = stack.osapi({"client", "job", "get", "--job-id", job_id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Status: completed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Timeline"), std::string::npos);
  r = stack.osapi({"-j", "client", "job", "get", "--job-id", job_id});
  ASSERT_EQ(r.code, 0);
  body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["status"], "completed");
  EXPECT_EQ(body["operation"]["type"], "node.hostname.get");
  EXPECT_TRUE(body.contains("agent_states"));
  EXPECT_TRUE(body["agent_states"].contains("agent-a"));

  // Malformed job id fails before any request; unknown job is a 404.
  r = stack.osapi({"client", "job", "get", "--job-id", "nope"});
  EXPECT_EQ(r.code, 1);
  r = stack.osapi({"client", "job", "get", "--job-id", "9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("API returned 404 Not Found: job not found"), std::string::npos) << r.err;
}

TEST(E2EClient, AgentStopsGracefullyAndDeregisters) {
  Stack stack(two_agents());
  stack.start_all();
  EXPECT_EQ(stack.agent(1)->stop(), 0);
  EXPECT_NE(stack.agent(1)->err().find("node agent stopped gracefully"), std::string::npos);
  auto r = stack.osapi({"-j", "client", "node", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["total"], 1);
  EXPECT_EQ(stack.api()->stop(), 0);
  EXPECT_NE(stack.api()->err().find("API server stopped"), std::string::npos);
  EXPECT_EQ(stack.nats()->stop(), 0);
}

TEST(E2EClient, CL9_BroadcastWithAFailingHostExitsOne) {
  StackOptions o;
  o.exporter = "";
  // agent-b cannot find any command on its PATH, so its half of the broadcast fails.
  o.agents = {{{"OSAPI_NODE_AGENT_HOSTNAME", "agent-a"}},
              {{"OSAPI_NODE_AGENT_HOSTNAME", "agent-b"}, {"PATH", "/nonexistent-osapi-path"}}};
  Stack stack(o);
  stack.start_all();
  auto r = stack.osapi({"client", "command", "exec", "--command", "true", "-T", "_all"}, {}, "y\n");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("agent-a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("agent-b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("failed"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("Error: 1 of 2 hosts failed"), std::string::npos) << r.err;
}

TEST(E2EClient, AgentFinishesRunningJobOnSigterm) {
  StackOptions o;
  o.exporter = "";
  Stack stack(o);
  stack.start_all();
  const std::string op = stack.dir().write(
      "sleep.json", R"({"type":"command.exec.execute","data":{"command":"sleep","args":["2"]}})");
  auto add =
      stack.osapi({"-j", "client", "job", "add", "--json-file", op, "--target-hostname", "_any"});
  ASSERT_EQ(add.code, 0) << add.err;
  const std::string job_id = nlohmann::json::parse(add.out)["job_id"];
  ASSERT_TRUE(stack.agent()->wait_output("processing job", std::chrono::seconds(10)));
  EXPECT_EQ(stack.agent()->stop(std::chrono::seconds(15)), 0);  // SIGTERM mid-job
  const std::string log = stack.agent()->err();
  EXPECT_NE(log.find("job processing completed"), std::string::npos) << log;
  EXPECT_NE(log.find("node agent stopped gracefully"), std::string::npos) << log;
  EXPECT_LT(log.find("node agent shutting down"), log.find("job processing completed")) << log;
  auto get = stack.osapi({"-j", "client", "job", "get", "--job-id", job_id});
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_EQ(nlohmann::json::parse(get.out)["status"], "completed") << get.out;
}
