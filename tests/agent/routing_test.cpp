// Integration: job create → agent → result through a real nats-server, for every routing mode.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "agent/consumers.h"
#include "agent_fixture.h"

using namespace osapi;
using osapi::agent_test::Fixture;
using json = nlohmann::ordered_json;

namespace {

const json kHostnameGet = json{{"type", "node.hostname.get"}, {"data", json::object()}};

}  // namespace

TEST(AgentRouting, AnyIsRunByExactlyOneAgent) {
  Fixture f;
  f.add_agent("agent-a");
  f.add_agent("agent-b");
  auto out = f.run(kHostnameGet, "_any");
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->responses.size(), 1u);
  EXPECT_EQ(out->responses[0].status, "completed");
  EXPECT_TRUE(out->responses[0].data.contains("hostname"));
  // The _any durable is shared: one agent took the job, the other never saw it.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(f.response_count(out->job_id), 1u);
  auto view = f.jobs->get(out->job_id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "completed");
}

TEST(AgentRouting, AllCollectsEveryAgent) {
  Fixture f;
  f.add_agent("agent-a");
  f.add_agent("agent-b");
  auto out = f.run(kHostnameGet, "_all");
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->responses.size(), 2u);
  std::set<std::string> hosts;
  for (const auto& r : out->responses) hosts.insert(r.hostname);
  EXPECT_EQ(hosts, (std::set<std::string>{"agent-a", "agent-b"}));
}

TEST(AgentRouting, DirectSubjectIsTheMachineId) {
  Fixture f;
  f.add_agent("agent-a");
  auto& web = f.add_agent("web-01.example.com");
  for (int i = 0; i < 3; ++i) {
    auto out = f.run(kHostnameGet, "web-01.example.com");
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_EQ(out->responses.size(), 1u);
    EXPECT_EQ(out->responses[0].hostname, "web-01.example.com");
    auto view = f.jobs->get(out->job_id);
    ASSERT_TRUE(view.ok());
  }
  // The subject carries the machine id, not the hostname.
  auto sub = f.jobs->submit(
      kHostnameGet,
      [&] {
        auto t = *job::parse_target("web-01.example.com");
        t.machine_id = web.machine_id();
        return t;
      }(),
      job::OpKind::kQuery);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->subject, "osapi.jobs.query.host." + web.machine_id());
}

TEST(AgentRouting, LabelPrefixSelectsMatchingAgents) {
  Fixture f;
  f.add_agent("agent-a", {{"group", "web.dev.us-east"}});
  f.add_agent("agent-b", {{"group", "web.prod"}});
  f.add_agent("agent-c", {{"group", "db"}});
  auto out = f.run(kHostnameGet, "group:web");
  ASSERT_TRUE(out.ok()) << out.error().message;
  std::set<std::string> hosts;
  for (const auto& r : out->responses) hosts.insert(r.hostname);
  EXPECT_EQ(hosts, (std::set<std::string>{"agent-a", "agent-b"}));
  out = f.run(kHostnameGet, "group:web.dev");
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->responses.size(), 1u);
  EXPECT_EQ(out->responses[0].hostname, "agent-a");
  // Labels come back in the hostname result.
  EXPECT_EQ(out->responses[0].data["labels"]["group"], "web.dev.us-east");
}

TEST(AgentRouting, RegistryValidatesTargets) {
  Fixture f;
  f.add_agent("server1", {{"group", "web"}});
  f.add_agent("server2");
  auto ok = [&](const char* t) {
    auto target = job::parse_target(t);
    return target.ok() && f.registry->resolve(*target).ok();
  };
  EXPECT_TRUE(ok("_any"));
  EXPECT_TRUE(ok("_all"));
  EXPECT_TRUE(ok("server1"));
  EXPECT_TRUE(ok("group:web"));
  EXPECT_FALSE(ok("env:prod"));
  EXPECT_FALSE(ok("nonexistent"));
  // A hostname resolves to the agent's machine id; the machine id itself is a target too.
  auto by_name = job::parse_target("server1");
  ASSERT_TRUE(by_name.ok());
  ASSERT_TRUE(f.registry->resolve(*by_name).ok());
  EXPECT_EQ(by_name->machine_id, f.agents[0]->machine_id());
  EXPECT_TRUE(ok(f.agents[1]->machine_id().c_str()));
  auto agents = f.registry->list();
  ASSERT_TRUE(agents.ok());
  EXPECT_EQ(agents->size(), 2u);
}

TEST(AgentRouting, UnknownOperationFailsWithoutRetry) {
  Fixture f;
  f.add_agent("agent-a");
  auto out = f.run(json{{"type", "node.bogus.get"}}, "_any");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->responses[0].status, "failed");
  EXPECT_EQ(out->responses[0].error, "unsupported node operation: bogus.get");
}

TEST(AgentRouting, NoAgentTimesOutWithSpecMessage) {
  Fixture f;
  job::WaitOptions w;
  w.timeout = std::chrono::milliseconds(500);
  auto out = f.jobs->run(kHostnameGet, *job::parse_target("_any"), job::OpKind::kQuery, w);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message,
            "failed to publish and wait: timeout waiting for job response: context deadline "
            "exceeded");
  out = f.jobs->run(kHostnameGet, *job::parse_target("_all"), job::OpKind::kQuery, w);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("no agents responded"), std::string::npos);
}

TEST(AgentConsumers, NamesCarryTheConsumerNameAndMachineId) {
  job::Names names = job::Names::from(config::Config{}, "osapi");
  const std::string id = "3d1219c7-c4c5";  // sanitised: '-' → '_'
  auto plan = agent::plan_consumers(names, "jobs-agent", id, {{"group", "web.dev"}});
  std::map<std::string, std::pair<std::string, std::string>> by_name;
  for (const auto& p : plan) by_name[p.durable] = {p.filter, p.deliver_policy};
  const std::string m = "3d1219c7_c4c5";
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(by_name["jobs-agent_query_any"], (P{"osapi.jobs.query._any", "all"}));
  EXPECT_EQ(by_name["jobs-agent_modify_any"], (P{"osapi.jobs.modify._any", "all"}));
  EXPECT_EQ(by_name["jobs-agent_query_all_" + m], (P{"osapi.jobs.query._all", "new"}));
  EXPECT_EQ(by_name["jobs-agent_modify_direct_" + m], (P{"osapi.jobs.modify.host." + m, "all"}));
  EXPECT_EQ(by_name["jobs-agent_query_label_group_web_" + m],
            (P{"osapi.jobs.query.label.group.web", "new"}));
  EXPECT_EQ(by_name["jobs-agent_query_label_group_web_dev_" + m],
            (P{"osapi.jobs.query.label.group.web.dev", "new"}));
  EXPECT_EQ(plan.size(), 2u * (3 + 2));

  // An empty consumer name drops the prefix.
  auto bare = agent::plan_consumers(names, "", id, {});
  ASSERT_EQ(bare.size(), 6u);
  EXPECT_EQ(bare[0].durable, "query_any");

  EXPECT_TRUE(agent::check_consumer_name("jobs-agent").ok());
  EXPECT_TRUE(agent::check_consumer_name("").ok());
  auto bad = agent::check_consumer_name("jobs.agent");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "agent.consumer.name \"jobs.agent\" cannot be part of a consumer name: '.' is not "
            "allowed");
}

TEST(AgentConsumers, AgentCreatesItsOwnDurables) {
  Fixture f;
  auto& a = f.add_agent("agent-a", {{"group", "web"}});
  for (const char* d :
       {"query_all", "modify_direct", "query_label_group_web", "modify_label_group_web"}) {
    auto info = f.consumer(d, a);
    ASSERT_TRUE(info.ok()) << d << ": " << info.error().message;
  }
  for (const char* shared : {"query_any", "modify_any"}) {
    auto info = f.conn->consumer_info(f.names.stream, f.cfg.agent.consumer.name + "_" + shared);
    ASSERT_TRUE(info.ok()) << shared << ": " << info.error().message;
  }
  auto direct = f.consumer("query_direct", a);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->filter_subject, "osapi.jobs.query.host." + a.machine_id());
}
