// Integration: job create → agent → result through a real nats-server, for every routing mode.
#include <gtest/gtest.h>

#include "agent/agent.h"
#include "agent/consumers.h"
#include "job/client.h"
#include "job/registry.h"
#include "natsserver/provision.h"
#include "process.h"

using namespace osapi;
using json = nlohmann::ordered_json;

namespace {

config::Config config_for(const osapi::testing::NatsServer& nats, const std::string& ns) {
  config::Config c;
  for (auto* n : {&c.controller.nats, &c.agent.nats}) {
    n->host = "127.0.0.1";
    n->port = nats.port();
    n->namespace_ = ns;
  }
  c.nats.server.namespace_ = ns;
  return c;
}

std::shared_ptr<messaging::Connection> connect(const osapi::testing::NatsServer& nats) {
  messaging::ConnectOptions o;
  o.url = nats.url();
  o.name = "routing-test";
  auto c = messaging::Connection::connect(o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return *c;
}

struct Fixture {
  osapi::testing::NatsServer nats;
  config::Config cfg;
  std::shared_ptr<messaging::Connection> conn;
  std::unique_ptr<job::JobClient> jobs;
  std::unique_ptr<job::Registry> registry;
  std::vector<std::unique_ptr<agent::Agent>> agents;

  explicit Fixture(const std::string& ns = "osapi") : cfg(config_for(nats, ns)) {
    conn = connect(nats);
    auto st = natsserver::provision(*conn, cfg, ns, true);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    const auto names = job::Names::from(cfg, ns);
    jobs = std::make_unique<job::JobClient>(conn, *conn->key_value(names.jobs_bucket), names);
    registry = std::make_unique<job::Registry>(*conn->key_value(names.registry_bucket),
                                               std::chrono::milliseconds(0));
  }
  ~Fixture() {
    for (auto& a : agents) a->stop(std::chrono::seconds(5));
  }
  agent::Agent& add_agent(const std::string& host, std::map<std::string, std::string> labels = {}) {
    config::Config c = cfg;
    c.agent.hostname = host;
    c.agent.labels = std::move(labels);
    agents.push_back(std::make_unique<agent::Agent>(c, host));
    auto st = agents.back()->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    return *agents.back();
  }
  Result<job::Outcome> run(const std::string& target_text) {
    auto target = job::parse_target(target_text);
    EXPECT_TRUE(target.ok());
    job::WaitOptions w;
    w.timeout = std::chrono::seconds(20);
    w.quiet = std::chrono::seconds(2);
    if (target->broadcast()) w.expected_hosts = registry->expected_hosts(*target);
    return jobs->run(json{{"type", "node.hostname.get"}, {"data", json::object()}}, *target,
                     job::OpKind::kQuery, w);
  }
};

}  // namespace

TEST(AgentRouting, AnyIsAnsweredByExactlyOneAgent) {
  Fixture f;
  f.add_agent("agent-a");
  f.add_agent("agent-b");
  auto out = f.run("_any");
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->responses.size(), 1u);
  EXPECT_EQ(out->responses[0].status, "completed");
  EXPECT_TRUE(out->responses[0].data.contains("hostname"));
  // The job's computed view says completed with exactly one responding host.
  auto view = f.jobs->get(out->job_id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "completed");
  EXPECT_EQ(view->responses.size(), 1u);
}

TEST(AgentRouting, AllCollectsEveryAgent) {
  Fixture f;
  f.add_agent("agent-a");
  f.add_agent("agent-b");
  auto out = f.run("_all");
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->responses.size(), 2u);
  std::set<std::string> hosts;
  for (const auto& r : out->responses) hosts.insert(r.hostname);
  EXPECT_EQ(hosts, (std::set<std::string>{"agent-a", "agent-b"}));
}

TEST(AgentRouting, HostnameReachesOnlyThatAgent) {
  Fixture f;
  f.add_agent("agent-a");
  f.add_agent("web-01.example.com");
  for (int i = 0; i < 3; ++i) {
    auto out = f.run("web-01.example.com");
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_EQ(out->responses.size(), 1u);
    EXPECT_EQ(out->responses[0].hostname, "web-01.example.com");
  }
}

TEST(AgentRouting, LabelPrefixSelectsMatchingAgents) {
  Fixture f;
  f.add_agent("agent-a", {{"group", "web.dev.us-east"}});
  f.add_agent("agent-b", {{"group", "web.prod"}});
  f.add_agent("agent-c", {{"group", "db"}});
  auto out = f.run("group:web");
  ASSERT_TRUE(out.ok()) << out.error().message;
  std::set<std::string> hosts;
  for (const auto& r : out->responses) hosts.insert(r.hostname);
  EXPECT_EQ(hosts, (std::set<std::string>{"agent-a", "agent-b"}));
  out = f.run("group:web.dev");
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
  auto ok = [&](const char* t) { return f.registry->validate(*job::parse_target(t)).ok(); };
  EXPECT_TRUE(ok("_any"));
  EXPECT_TRUE(ok("_all"));
  EXPECT_TRUE(ok("server1"));
  EXPECT_TRUE(ok("group:web"));
  EXPECT_FALSE(ok("env:prod"));
  EXPECT_FALSE(ok("nonexistent"));
  auto agents = f.registry->list();
  ASSERT_TRUE(agents.ok());
  EXPECT_EQ(agents->size(), 2u);
}

TEST(AgentRouting, UnknownOperationFailsWithoutRetry) {
  Fixture f;
  f.add_agent("agent-a");
  job::WaitOptions w;
  w.timeout = std::chrono::seconds(20);
  auto out = f.jobs->run(json{{"type", "node.bogus.get"}}, *job::parse_target("_any"),
                         job::OpKind::kQuery, w);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->responses[0].status, "failed");
  EXPECT_EQ(out->responses[0].error, "unsupported node operation: bogus.get");
}

TEST(AgentRouting, NoAgentTimesOutWithSpecMessage) {
  Fixture f;
  job::WaitOptions w;
  w.timeout = std::chrono::milliseconds(500);
  auto out = f.jobs->run(json{{"type", "node.hostname.get"}}, *job::parse_target("_any"),
                         job::OpKind::kQuery, w);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message,
            "failed to publish and wait: timeout waiting for job response: context deadline "
            "exceeded");
  out = f.jobs->run(json{{"type", "node.hostname.get"}}, *job::parse_target("_all"),
                    job::OpKind::kQuery, w);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("no agents responded"), std::string::npos);
}

TEST(AgentConsumers, PlanNamesAndBackoffTruncation) {
  job::Names names = job::Names::from(config::Config{}, "osapi");
  auto plan = agent::plan_consumers(names, "web-01", {{"group", "web.dev"}});
  std::set<std::string> durables;
  for (const auto& p : plan) durables.insert(p.durable);
  EXPECT_TRUE(durables.count("query_any"));
  EXPECT_TRUE(durables.count("modify_all_web_01"));
  EXPECT_TRUE(durables.count("query_direct_web_01"));
  EXPECT_TRUE(durables.count("query_label_group_web_web_01"));
  EXPECT_TRUE(durables.count("query_label_group_web_dev_web_01"));
}
