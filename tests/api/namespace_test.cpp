// Namespaces: two deployments on one nats-server — two ApiServers and two
// agents — never see each other's jobs, agents or audit entries.
#include "auth_fixture.h"

using namespace osapi;
using namespace osapi::api::auth_testing;
using json = nlohmann::json;

namespace {

struct Tenant {
  std::unique_ptr<Api> api;
  std::unique_ptr<AgentRunner> agent;
  std::string token;
  std::string agent_name;
};

Tenant start_tenant(const osapi::testing::NatsServer& nats, const std::string& ns) {
  Tenant t;
  auto cfg = base_config(nats, ns);
  t.api = std::make_unique<Api>(cfg);
  t.agent_name = "agent-" + ns;
  t.agent = std::make_unique<AgentRunner>(cfg, t.agent_name);
  t.token = mint({"admin"}, {}, ns + "@example.com");
  return t;
}

std::vector<std::string> agent_names(const Api& api, const std::string& token) {
  auto r = api.get("/api/agent", token);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> out;
  if (r.doc.is_object() && r.doc["agents"].is_array())
    for (const auto& a : r.doc["agents"]) out.push_back(a.value("hostname", ""));
  return out;
}

}  // namespace

TEST(Namespaces, TwoTenantsOnOneServerAreIsolated) {
  osapi::testing::NatsServer nats;
  Tenant a = start_tenant(nats, "tenanta");
  Tenant b = start_tenant(nats, "tenantb");

  // Agents: each API sees only its own.
  ASSERT_TRUE(eventually([&] { return agent_names(*a.api, a.token).size() == 1; }));
  EXPECT_EQ(agent_names(*a.api, a.token), std::vector<std::string>{"agent-tenanta"});
  EXPECT_EQ(agent_names(*b.api, b.token), std::vector<std::string>{"agent-tenantb"});
  auto foreign = a.api->get("/api/node/agent-tenantb/hostname", a.token);
  EXPECT_EQ(foreign.status, 400) << foreign.body;
  EXPECT_NE(foreign.body.find("not found"), std::string::npos);

  // Jobs: a broadcast reaches only the tenant's own agent, and its record stays in its tenant.
  auto all = a.api->get("/api/node/_all/hostname", a.token);
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.doc["results"].size(), 1u);
  EXPECT_EQ(all.doc["results"][0]["status"], "ok");
  const std::string job_id = all.doc["job_id"];
  auto detail = a.api->get("/api/job/" + job_id, a.token);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_TRUE(detail.doc["agent_states"].contains("agent-tenanta")) << detail.body;
  EXPECT_FALSE(detail.doc["agent_states"].contains("agent-tenantb")) << detail.body;
  EXPECT_EQ(b.api->get("/api/job/" + job_id, b.token).status, 404);
  EXPECT_EQ(b.api->get("/api/job", b.token).doc["total_items"], 0);
  auto own = b.api->get("/api/node/_any/hostname", b.token);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(a.api->get("/api/job/" + own.doc["job_id"].get<std::string>(), a.token).status, 404);

  // Audit: each tenant's log holds only its own users' requests.
  for (Tenant* t : {&a, &b}) {
    const std::string user = t == &a ? "tenanta@example.com" : "tenantb@example.com";
    ASSERT_TRUE(eventually([&] {
      auto r = t->api->get("/api/audit/export", t->token);
      return r.status == 200 && r.doc["total_items"].get<int>() >= 4;
    }));
    auto r = t->api->get("/api/audit/export", t->token);
    for (const auto& e : r.doc["items"]) EXPECT_EQ(e["user"], user) << e.dump();
  }
}
