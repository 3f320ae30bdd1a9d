// The registration record in the registry KV: key by machine id, every field present, refreshed
// by the heartbeat, following hostname changes, refusing a key held by another agent, deleted on
// shutdown.
#include <gtest/gtest.h>

#include "agent/conditions.h"
#include "agent/registration.h"
#include "agent_fixture.h"
#include "common/time.h"

using namespace osapi;
using osapi::agent_test::eventually;
using osapi::agent_test::Fixture;
using json = nlohmann::ordered_json;

namespace {

json record(Fixture& f, const std::string& key) {
  auto e = f.registry_kv->get(key);
  if (!e.ok() || !e->has_value()) return nullptr;
  return json::parse((*e)->value, nullptr, false);
}

agent::AgentOptions fast_heartbeat() {
  agent::AgentOptions o;
  o.heartbeat_interval = std::chrono::milliseconds(200);
  return o;
}

}  // namespace

TEST(AgentRegistration, RecordUnderMachineIdWithEveryField) {
  Fixture f;
  auto c = f.agent_config("web-01.example.com", {{"group", "web.dev"}});
  c.agent.machine_id_file = f.machine_id_file("  0123456789abcdef0123456789abcdef \n");
  c.agent.metrics.port = 9191;
  auto& a = f.start(c);
  EXPECT_EQ(a.machine_id(), "0123456789abcdef0123456789abcdef");
  const json r = record(f, "agents.0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(r.is_object()) << "no registration under the machine id";
  EXPECT_EQ(r["machine_id"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r["hostname"], "web-01.example.com");
  EXPECT_EQ(r["labels"], (json{{"group", "web.dev"}}));
  EXPECT_EQ(r["state"], "Ready");
  for (const char* k : {"registered_at", "started_at"}) {
    Clock::time_point t;
    EXPECT_TRUE(parse_rfc3339(r.value(k, ""), t)) << k << ": " << r.dump();
  }
  EXPECT_TRUE(r["os_info"].contains("distribution")) << r.dump();
  EXPECT_TRUE(r["uptime"].is_number_integer());
  EXPECT_GT(r["uptime"].get<int64_t>(), 0);
  for (const char* k : {"load1", "load5", "load15"})
    EXPECT_TRUE(r["load_averages"][k].is_number()) << k;
  for (const char* k : {"total", "free", "available", "cached"})
    EXPECT_TRUE(r["memory_stats"][k].is_number_integer()) << k;
  EXPECT_GT(r["memory_stats"]["total"].get<int64_t>(), 0);
  EXPECT_TRUE(r["process"]["cpu_percent"].is_number());
  EXPECT_GT(r["process"]["rss_bytes"].get<int64_t>(), 0);

  std::vector<std::string> types;
  for (const auto& cond : r["conditions"]) {
    types.push_back(cond["type"]);
    EXPECT_TRUE(cond["status"].is_boolean());
    EXPECT_TRUE(cond.contains("last_transition_time"));
  }
  // Process conditions only when their thresholds are set (they are not here).
  EXPECT_EQ(types, (std::vector<std::string>{"MemoryPressure", "HighLoad", "DiskPressure"}));

  const json sc = r["sub_components"];
  EXPECT_EQ(sc["agent.facts"]["status"], "ok");
  EXPECT_EQ(sc["agent.heartbeat"]["status"], "ok");
  EXPECT_EQ(sc["agent.pki"]["status"], "disabled");
  EXPECT_EQ(sc["agent.metrics"]["status"], "ok");
  EXPECT_EQ(sc["agent.metrics"]["address"], "http://0.0.0.0:9191");

  // The controller's reader understands it.
  auto parsed = job::AgentInfo::parse(r.dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->key(), "agents.0123456789abcdef0123456789abcdef");
}

TEST(AgentRegistration, ProcessConditionsAndDisabledMetrics) {
  Fixture f;
  auto c = f.agent_config("agent-p");
  c.agent.process_conditions.memory_pressure_bytes = 1;  // any process is above one byte
  c.agent.process_conditions.high_cpu_percent = 1e9;
  c.agent.metrics.enabled = false;
  auto& a = f.start(c);
  const json r = record(f, job::registry_key(a.machine_id()));
  ASSERT_TRUE(r.is_object());
  std::map<std::string, json> by_type;
  for (const auto& cond : r["conditions"]) by_type[cond["type"]] = cond;
  ASSERT_TRUE(by_type.count("ProcessMemoryPressure"));
  EXPECT_EQ(by_type["ProcessMemoryPressure"]["status"], true);
  EXPECT_NE(by_type["ProcessMemoryPressure"]["reason"].get<std::string>().find(
                "exceeds threshold 1 bytes"),
            std::string::npos);
  ASSERT_TRUE(by_type.count("ProcessHighCPU"));
  EXPECT_EQ(by_type["ProcessHighCPU"]["status"], false);
  EXPECT_EQ(r["sub_components"]["agent.metrics"]["status"], "disabled");
  EXPECT_FALSE(r["sub_components"]["agent.metrics"].contains("address"));
}

TEST(AgentRegistration, HeartbeatRefreshesAndFollowsTheHostname) {
  Fixture f;
  auto name = std::make_shared<std::string>("before");
  auto mu = std::make_shared<std::mutex>();
  auto options = fast_heartbeat();
  options.hostname_source = [name, mu] {
    std::lock_guard<std::mutex> lk(*mu);
    return *name;
  };
  auto c = f.agent_config("");
  auto& a = f.start(c, options);
  const std::string key = job::registry_key(a.machine_id());
  const json first = record(f, key);
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first["hostname"], "before");
  ASSERT_TRUE(eventually([&] {
    const json r = record(f, key);
    return r.is_object() && r["registered_at"] != first["registered_at"];
  }));
  const json later = record(f, key);
  EXPECT_EQ(later["started_at"], first["started_at"]);  // the process did not restart
  // Conditions whose status did not change keep their transition time.
  ASSERT_EQ(later["conditions"].size(), first["conditions"].size());
  for (size_t i = 0; i < first["conditions"].size(); ++i) {
    if (first["conditions"][i]["status"] == later["conditions"][i]["status"]) {
      EXPECT_EQ(first["conditions"][i]["last_transition_time"],
                later["conditions"][i]["last_transition_time"]);
    }
  }

  {
    std::lock_guard<std::mutex> lk(*mu);
    *name = "after";
  }
  ASSERT_TRUE(eventually([&] { return record(f, key).value("hostname", "") == "after"; }));
  EXPECT_EQ(a.hostname(), "after");
  // Responses follow the new name too; the key (machine id) does not move.
  auto r = f.run_on(a, json{{"type", "node.uptime.get"}}, job::OpKind::kQuery);
  EXPECT_EQ(r.hostname, "after");
  auto keys = f.registry_kv->keys("agents.>");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, std::vector<std::string>{key});
}

TEST(AgentRegistration, DeletedOnShutdown) {
  Fixture f;
  auto& a = f.add_agent("agent-a");
  const std::string key = job::registry_key(a.machine_id());
  ASSERT_TRUE(record(f, key).is_object());
  EXPECT_TRUE(a.stop(std::chrono::seconds(5)));
  EXPECT_TRUE(record(f, key).is_null());
}

TEST(AgentRegistration, TwoAgentsOnOneHostWithTheirOwnIds) {
  Fixture f;
  auto& a = f.add_agent("agent-a");
  auto& b = f.add_agent("agent-b");
  EXPECT_NE(a.machine_id(), b.machine_id());
  auto keys = f.registry_kv->keys("agents.>");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
}

TEST(AgentRegistration, RefusesAKeyHeldByAnotherLiveAgent) {
  Fixture f;
  auto c = f.agent_config("agent-a");
  auto& a = f.start(c);
  config::Config twin = c;  // same machine id file, other hostname
  twin.agent.hostname = "agent-b";
  agent::Agent b(twin);
  auto st = b.start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(st.error().message,
            "registry key agents." + a.machine_id() +
                " is held by live agent \"agent-a\" (machine id " + a.machine_id() +
                "); refusing to start agent \"agent-b\" (machine id " + a.machine_id() + ")");
  b.stop(std::chrono::seconds(1));
  // The refused agent left the other's registration alone.
  const json r = record(f, job::registry_key(a.machine_id()));
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["hostname"], "agent-a");

  // The same agent restarting (same id, same name) takes its entry over.
  agent::Agent again(c);
  EXPECT_TRUE(again.start().ok());
  again.stop(std::chrono::seconds(1));
}

TEST(AgentRegistration, NoMachineIdNoStart) {
  Fixture f;
  auto c = f.agent_config("agent-a");
  c.agent.machine_id_file = f.ids.file("missing");
  agent::Agent a(c);
  auto st = a.start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            "machine id: " + f.ids.file("missing") + ": no such file or directory");
  c.agent.machine_id_file = f.machine_id_file(" \n");
  agent::Agent b(c);
  st = b.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find(": empty"), std::string::npos) << st.error().message;
  auto keys = f.registry_kv->keys("agents.>");
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
}

// Condition evaluation without a host.
TEST(AgentConditions, ThresholdsReasonsAndTransitions) {
  config::Conditions host;  // 90 %, ×2.0, 90 %
  config::ProcessConditions none;
  const auto t0 = from_unix_nano(1'700'000'000'000'000'000LL);
  const auto t1 = from_unix_nano(1'700'000'010'000'000'000LL);
  const double gib = 1024.0 * 1024 * 1024;

  agent::ConditionInputs in;
  in.mem_total = static_cast<uint64_t>(16 * gib);
  in.mem_available = static_cast<uint64_t>(0.8 * gib);  // 95 % used
  in.load1 = 9.5;
  in.cpu_count = 4;  // threshold 8
  in.disks = {{"/", 100, 50},
              {"/var", static_cast<uint64_t>(10 * gib), static_cast<uint64_t>(9.5 * gib)}};
  auto c = agent::evaluate_conditions(in, host, none, {}, t0);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].type, "MemoryPressure");
  EXPECT_TRUE(c[0].status);
  EXPECT_EQ(c[0].reason, "memory 95% used (15.2/16.0 GB)");
  EXPECT_EQ(c[1].type, "HighLoad");
  EXPECT_TRUE(c[1].status);
  EXPECT_EQ(c[1].reason, "load 9.50, threshold 8.00 for 4 CPUs");
  EXPECT_EQ(c[2].type, "DiskPressure");
  EXPECT_TRUE(c[2].status);
  EXPECT_EQ(c[2].reason, "/var 95% used (9.5/10.0 GB)");
  for (const auto& x : c) EXPECT_EQ(x.last_transition_time, rfc3339_nano(t0));

  // Memory recovers, load stays high: only the changed condition gets a new time.
  in.mem_available = static_cast<uint64_t>(8 * gib);
  auto d = agent::evaluate_conditions(in, host, none, c, t1);
  EXPECT_FALSE(d[0].status);
  EXPECT_EQ(d[0].reason, "");
  EXPECT_EQ(d[0].last_transition_time, rfc3339_nano(t1));
  EXPECT_EQ(d[1].last_transition_time, rfc3339_nano(t0));

  // No CPU count (facts missing) → HighLoad false; no readings at all → everything false.
  in.cpu_count = 0;
  EXPECT_FALSE(agent::evaluate_conditions(in, host, none, {}, t0)[1].status);
  auto empty = agent::evaluate_conditions({}, host, none, {}, t0);
  ASSERT_EQ(empty.size(), 3u);
  for (const auto& x : empty) EXPECT_FALSE(x.status);

  // Process conditions appear only with thresholds > 0.
  config::ProcessConditions proc;
  proc.memory_pressure_bytes = 1000;
  proc.high_cpu_percent = 50;
  agent::ConditionInputs p;
  p.process_rss_bytes = 2000;
  p.process_cpu_percent = 75.26;
  auto e = agent::evaluate_conditions(p, host, proc, {}, t0);
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[3].type, "ProcessMemoryPressure");
  EXPECT_EQ(e[3].reason, "process RSS 2000 bytes exceeds threshold 1000 bytes");
  EXPECT_EQ(e[4].type, "ProcessHighCPU");
  EXPECT_EQ(e[4].reason, "process CPU 75.3% exceeds threshold 50.0%");
}
