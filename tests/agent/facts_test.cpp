// Facts in the facts KV: written at start under facts.<machine-id*>, refreshed every
// agent.facts.interval, bucket created when missing, no KV when the bucket name is empty.
#include <gtest/gtest.h>

#include "common/strings.h"

#include <atomic>

#include "agent/facts_collector.h"
#include "agent_fixture.h"
#include "provider/facts.h"

using namespace osapi;
using osapi::agent_test::eventually;
using osapi::agent_test::Fixture;
using json = nlohmann::ordered_json;

namespace {

provider::Facts sample_facts(int cpu_count) {
  provider::Facts f;
  f.architecture = "amd64";
  f.kernel_version = "6.1.0-test";
  f.cpu_count = cpu_count;
  f.fqdn = "agent-a.example.com";
  f.service_mgr = "systemd";
  f.package_mgr = "apt";
  f.primary_interface = "eth7";
  f.interfaces = {{"eth7", "10.0.0.7", "", "aa:bb:cc:dd:ee:07", "inet"}};
  return f;
}

std::shared_ptr<messaging::KeyValue> facts_kv(Fixture& f) {
  auto kv = f.conn->key_value(config::ns_name(f.ns, f.cfg.nats.facts.bucket));
  EXPECT_TRUE(kv.ok()) << (kv.ok() ? "" : kv.error().message);
  return kv.ok() ? *kv : nullptr;
}

}  // namespace

TEST(AgentFacts, WrittenAtStartUnderTheMachineId) {
  Fixture f;  // provisioning does not create the facts bucket: the agent does
  auto c = f.agent_config("agent-a");
  c.agent.machine_id_file = f.machine_id_file("fa-c7-01");
  auto& a = f.start(c);
  EXPECT_EQ(agent::facts_key(a.machine_id()), "facts.fa_c7_01");
  auto kv = facts_kv(f);
  ASSERT_TRUE(kv);
  auto e = kv->get("facts.fa_c7_01");
  ASSERT_TRUE(e.ok() && e->has_value());
  const json j = json::parse((*e)->value);
  // Exactly provider::to_json(Facts): real facts of this host, readable back.
  auto back = provider::facts_from_json(j);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FALSE(back->architecture.empty());
  EXPECT_GT(back->cpu_count, 0);
  for (const char* k :
       {"architecture", "kernel_version", "cpu_count", "fqdn", "service_mgr", "package_mgr",
        "containerized", "interfaces", "routes", "primary_interface"})
    EXPECT_TRUE(j.contains(k)) << k << " missing in " << j.dump();

  // The bucket carries nats.facts.ttl.
  auto status = kv->status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->ttl, std::chrono::minutes(5));
}

TEST(AgentFacts, RefreshedEveryInterval) {
  Fixture f;
  auto calls = std::make_shared<std::atomic<int>>(0);
  agent::AgentOptions o;
  o.collect_facts = [calls] { return sample_facts(++*calls); };
  auto c = f.agent_config("agent-a");
  c.agent.facts_interval = std::chrono::milliseconds(200);
  auto& a = f.start(c, o);
  auto kv = facts_kv(f);
  ASSERT_TRUE(kv);
  const std::string key = agent::facts_key(a.machine_id());
  auto cpu_count = [&] {
    auto e = kv->get(key);
    if (!e.ok() || !e->has_value()) return 0;
    return json::parse((*e)->value).value("cpu_count", 0);
  };
  EXPECT_GE(cpu_count(), 1);
  EXPECT_TRUE(eventually([&] { return cpu_count() >= 3; }));
  const json j = json::parse((*kv->get(key))->value);
  EXPECT_EQ(j["primary_interface"], "eth7");
  EXPECT_EQ(j["interfaces"][0]["ipv4"], "10.0.0.7");
}

TEST(AgentFacts, ExistingBucketIsReusedAndEmptyNameMeansNoKv) {
  Fixture f;
  {
    // An agent with the bucket disabled still starts, and the sub-component says so.
    auto c = f.agent_config("agent-off");
    c.nats.facts.bucket = "";
    auto& a = f.start(c);
    auto e = f.registry_kv->get(job::registry_key(a.machine_id()));
    ASSERT_TRUE(e.ok() && e->has_value());
    EXPECT_EQ(json::parse((*e)->value)["sub_components"]["agent.facts"]["status"], "disabled");
    // Provisioning may have made the bucket; this agent writes nothing into it.
    if (auto kv = f.conn->key_value(config::ns_name(f.ns, "agent-facts")); kv.ok()) {
      auto mine = (*kv)->get("facts." + sanitize_subject_token(a.machine_id()));
      ASSERT_TRUE(mine.ok());
      EXPECT_FALSE(mine->has_value());
    }
  }
  // A bucket made beforehand (with another TTL) is opened, not changed.
  messaging::KvSpec spec;
  spec.bucket = config::ns_name(f.ns, f.cfg.nats.facts.bucket);
  spec.ttl = std::chrono::minutes(1);
  ASSERT_TRUE(f.conn->ensure_key_value(spec, true).ok());
  auto& b = f.add_agent("agent-b");
  auto kv = facts_kv(f);
  ASSERT_TRUE(kv);
  EXPECT_TRUE(eventually([&] {
    auto e = kv->get(agent::facts_key(b.machine_id()));
    return e.ok() && e->has_value();
  }));
  EXPECT_EQ(kv->status()->ttl, std::chrono::minutes(1));
}
