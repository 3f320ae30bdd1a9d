// GET /api/agent, GET /api/agent/{hostname} and GET /api/facts/keys through real HTTP: agents
// as the registry holds them (a real agent and fake agents with full records and facts).
#include "job/timeline.h"
#include "node_fixture.h"

using namespace osapi;
using namespace osapi::api::node_testing;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// A fake agent with a full registration (host metrics, conditions) and a facts record.
FakeAgentOptions web1() {
  FakeAgentOptions o;
  o.hostname = "web1";
  o.machine_id = "4c4c4544-0042-3510-8052-b7c04f4e4e31";
  o.labels = {{"group", "web.dev"}, {"zone", "a"}};
  o.record_extra = ojson::parse(R"({
    "os_info": {"distribution": "debian", "version": "12"},
    "uptime": 90061000000000,
    "load_averages": {"load1": 0.5, "load5": 0.25, "load15": 1.5},
    "memory_stats": {"total": 1000, "free": 300, "available": 500, "cached": 200},
    "conditions": [{"type": "HighLoad", "status": true, "reason": "load 9 > 4",
                    "last_transition_time": "2026-01-01T00:00:00Z"}]
  })");
  o.facts = ojson::parse(R"({
    "architecture": "amd64", "kernel_version": "6.1.0-18-amd64", "cpu_count": 4,
    "fqdn": "web1.example.com", "service_mgr": "systemd", "package_mgr": "apt",
    "interfaces": [{"name": "eth0", "ipv4": "10.0.0.5", "family": "inet"}],
    "primary_interface": "eth0",
    "routes": [{"destination": "0.0.0.0", "gateway": "10.0.0.1", "interface": "eth0"}],
    "facts": {"rack": "r1"}
  })");
  return o;
}

FakeAgentOptions named(const std::string& hostname, const std::string& state = "Ready") {
  FakeAgentOptions o;
  o.hostname = hostname;
  o.state = state;
  o.silent = true;
  return o;
}

json* agent_named(json& list, const std::string& hostname) {
  for (auto& a : list)
    if (a.value("hostname", "") == hostname) return &a;
  return nullptr;
}

void expect_web1(json a) {
  EXPECT_EQ(a["machine_id"], "4c4c4544-0042-3510-8052-b7c04f4e4e31");
  EXPECT_EQ(a["hostname"], "web1");
  EXPECT_EQ(a["status"], "Ready");
  EXPECT_EQ(a["state"], "Ready");
  EXPECT_EQ(a["labels"], json({{"group", "web.dev"}, {"zone", "a"}}));
  Clock::time_point t;
  EXPECT_TRUE(parse_rfc3339(a.value("registered_at", ""), t)) << a;
  EXPECT_TRUE(parse_rfc3339(a.value("started_at", ""), t)) << a;
  EXPECT_EQ(a["os_info"], json({{"distribution", "debian"}, {"version", "12"}}));
  EXPECT_EQ(a["uptime"], "1 day, 1 hour, 1 minute");
  EXPECT_EQ(a["load_average"], json::parse(R"({"1min":0.5,"5min":0.25,"15min":1.5})"));
  EXPECT_EQ(a["memory"], json::parse(R"({"total":1000,"free":300,"used":500})"));
  EXPECT_EQ(a["conditions"], json::parse(R"([{"type":"HighLoad","status":true,
      "reason":"load 9 > 4","last_transition_time":"2026-01-01T00:00:00Z"}])"));
  // Facts are merged into the agent.
  EXPECT_EQ(a["architecture"], "amd64");
  EXPECT_EQ(a["kernel_version"], "6.1.0-18-amd64");
  EXPECT_EQ(a["cpu_count"], 4);
  EXPECT_EQ(a["fqdn"], "web1.example.com");
  EXPECT_EQ(a["service_mgr"], "systemd");
  EXPECT_EQ(a["package_mgr"], "apt");
  EXPECT_EQ(a["primary_interface"], "eth0");
  EXPECT_EQ(a["interfaces"][0]["name"], "eth0");
  EXPECT_EQ(a["routes"][0]["gateway"], "10.0.0.1");
  EXPECT_EQ(a["facts"], json({{"rack", "r1"}}));
}

}  // namespace

TEST(AgentApi, ListHoldsEveryRegisteredAgent) {
  Fixture f({"agent1"});
  f.add_fake(web1());
  f.add_fake(named("pend1", "Pending"));
  auto r = f.get("/api/agent");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["total"], 3);
  ASSERT_EQ(r.doc["agents"].size(), 3u) << r.body;
  json* web = agent_named(r.doc["agents"], "web1");
  ASSERT_TRUE(web) << r.body;
  expect_web1(*web);
  json* pending = agent_named(r.doc["agents"], "pend1");
  ASSERT_TRUE(pending) << r.body;
  EXPECT_EQ((*pending)["state"], "Pending");
  EXPECT_EQ((*pending)["machine_id"], "mid-pend1");
  EXPECT_FALSE(pending->contains("labels"));
  EXPECT_FALSE(pending->contains("facts"));
  json* real = agent_named(r.doc["agents"], "agent1");
  ASSERT_TRUE(real) << r.body;
  EXPECT_EQ((*real)["status"], "Ready");
  EXPECT_EQ((*real)["state"], "Ready");
}

TEST(AgentApi, ListIsEmptyWithoutAgents) {
  Fixture f(Hosts{});
  auto r = f.get("/api/agent");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc, json::parse(R"({"agents":[],"total":0})"));
}

TEST(AgentApi, DetailByHostnameOrMachineId) {
  Fixture f(Hosts{});
  f.add_fake(web1());
  for (const char* name : {"web1", "4c4c4544-0042-3510-8052-b7c04f4e4e31"}) {
    auto r = f.get(std::string("/api/agent/") + name);
    ASSERT_EQ(r.status, 200) << name << " " << r.body;
    expect_web1(r.doc);
  }
}

TEST(AgentApi, DetailCarriesTheTimelineOldestFirst) {
  Fixture f(Hosts{});
  f.add_fake(web1());
  auto r = f.get("/api/agent/web1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["timeline"], json::array()) << r.body;

  // Events as the drain flow writes them, plus one of another agent and one unreadable value.
  messaging::ConnectOptions co;
  co.url = f.nats().url();
  auto conn = messaging::Connection::connect(co);
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  auto state = (*conn)->key_value("osapi-agent-state");
  ASSERT_TRUE(state.ok()) << state.error().message;
  ASSERT_TRUE(job::write_timeline_event(**state, "web1", "drain", "Drain initiated via API").ok());
  ASSERT_TRUE(job::write_timeline_event(**state, "web2", "drain", "another agent").ok());
  ASSERT_TRUE(job::write_timeline_event(**state, "web1", "cordoned", "", "1 job still ran").ok());
  ASSERT_TRUE((*state)->put("timeline.web1.junk.1", "not json").ok());

  r = f.get("/api/agent/4c4c4544-0042-3510-8052-b7c04f4e4e31");
  ASSERT_EQ(r.status, 200) << r.body;
  const json& t = r.doc["timeline"];
  ASSERT_EQ(t.size(), 2u) << r.body;
  EXPECT_EQ(t[0]["event"], "drain");
  EXPECT_EQ(t[0]["hostname"], "web1");
  EXPECT_EQ(t[0]["message"], "Drain initiated via API");
  EXPECT_FALSE(t[0].contains("error"));
  EXPECT_EQ(t[1]["event"], "cordoned");
  EXPECT_EQ(t[1]["error"], "1 job still ran");
  Clock::time_point a, b;
  ASSERT_TRUE(parse_rfc3339(t[0].value("timestamp", ""), a)) << t;
  ASSERT_TRUE(parse_rfc3339(t[1].value("timestamp", ""), b)) << t;
  EXPECT_LE(a, b);
  // The list does not carry timelines.
  r = f.get("/api/agent");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.doc["agents"][0].contains("timeline")) << r.body;
}

TEST(AgentApi, DetailOfAnUnknownAgentIs404) {
  Fixture f({"agent1"});
  auto r = f.get("/api/agent/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.doc, (json{{"error", "agent not found: nope"}}));
  r = f.get("/api/agent/" + std::string(256, 'a'));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc["error"],
            "Key: 'GetAgentDetailsParams.Hostname' Error:Field validation for 'Hostname' failed "
            "on the 'max' tag");
  EXPECT_EQ(f.get("/api/agent/agent1").status, 200);
}

TEST(AgentApi, AgentRoutesNeedAgentRead) {
  Fixture f(Hosts{});
  for (const char* path : {"/api/agent", "/api/agent/nope", "/api/facts/keys"}) {
    EXPECT_EQ(f.call("GET", path, "", "").status, 401) << path;
    auto r = f.call("GET", path, "", Fixture::token({"read"}, {"node:read"}));
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_TRUE(contains(r.body, "Required: [agent:read]")) << r.body;
    EXPECT_NE(f.call("GET", path, "", Fixture::token({"read"})).status, 403) << path;
  }
}

TEST(AgentApi, DeregisteredAgentLeavesTheList) {
  Fixture f(Hosts{});
  f.add_fake(named("stays"));
  {
    FakeAgent temp(f.nats().url(), f.cfg(), "osapi", named("temp"));
    EXPECT_EQ(f.get("/api/agent").doc["total"], 2);
    EXPECT_EQ(f.get("/api/agent/temp").status, 200);
  }  // deregisters
  auto r = f.get("/api/agent");
  EXPECT_EQ(r.doc["total"], 1);
  EXPECT_EQ(agent_named(r.doc["agents"], "temp"), nullptr);
  EXPECT_EQ(f.get("/api/agent/temp").status, 404);
}

TEST(FactsApi, KeysAreTheBuiltInFacts) {
  Fixture f(Hosts{});
  auto r = f.get("/api/facts/keys");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.doc["keys"].is_array()) << r.body;
  EXPECT_EQ(r.doc.size(), 1u);
  std::vector<std::string> keys;
  for (const auto& k : r.doc["keys"]) {
    keys.push_back(k["key"]);
    EXPECT_EQ(k["builtin"], true) << k;
    EXPECT_FALSE(k["description"].get<std::string>().empty()) << k;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"interface.primary", "hostname", "arch", "kernel",
                                            "fqdn", "containerized"}));
}
