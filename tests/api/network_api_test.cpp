// Acceptance §4 (network) against the real API, real agents and a fake resolvectl.
#include "api/handlers.h"
#include "netcmd_fixture.h"

using namespace osapi;
using namespace osapi::api::netcmd_testing;
using json = nlohmann::json;

namespace {

const char kDnsBody[] =
    R"({"servers":["1.1.1.1","8.8.8.8"],"search_domains":["foo.bar"],"interface_name":"eth0"})";

const json* item_for(const Reply& r, const std::string& host) {
  for (const auto& i : r.doc["results"])
    if (i["hostname"] == host) return &i;
  return nullptr;
}

}  // namespace

TEST(NetworkApi, ND1_DnsFromTheAgent) {
  FakeTools tools;
  Fixture f;
  auto r = f.call("GET", "/network/dns/eth0");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 1u) << r.body;
  EXPECT_TRUE(r.doc["job_id"].is_string());
  EXPECT_EQ(r.doc["results"][0],
            json::parse(R"({"hostname":"agent1","search_domains":["example.com","local.lan"],)"
                        R"("servers":["192.168.1.1","8.8.8.8"]})"));
  EXPECT_TRUE(contains(tools.calls(), "status eth0")) << tools.calls();
}

TEST(NetworkApi, ND2_InterfaceMustBeAlphanumeric) {
  Fixture f(Hosts{});
  for (const char* name : {"eth-0!", "br-lan", "eth0.100"}) {
    auto r = f.call("GET", std::string("/network/dns/") + name);
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_TRUE(contains(r.body, "InterfaceName") && contains(r.body, "alphanum")) << r.body;
  }
}

TEST(NetworkApi, ND3_EmptyInterfaceAtHandlerLevel) {
  api::ApiContext ctx;
  ctx.cfg.controller.api.signing_key = kKey;
  http::Request req;
  req.method = "GET";
  req.path = "/network/dns/";
  req.headers.emplace_back("Authorization", "Bearer " + Fixture::token());
  auto resp = api::get_network_dns(ctx, req);
  EXPECT_EQ(resp.status, 400);
  EXPECT_TRUE(contains(resp.body, "InterfaceName") && contains(resp.body, "'required' tag"))
      << resp.body;
}

TEST(NetworkApi, ND4_DP6_PI4_EmptyTargetIs400) {
  Fixture f(Hosts{});
  for (auto [method, path, body] :
       {std::tuple<std::string, std::string, std::string>{"GET", "/network/dns/eth0", ""},
        {"PUT", "/network/dns", kDnsBody},
        {"POST", "/network/ping", R"({"address":"127.0.0.1"})"}}) {
    auto r = f.call(method, path + "?target_hostname=", body);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_TRUE(contains(r.body, "TargetHostname") && contains(r.body, "'min' tag")) << r.body;
  }
}

TEST(NetworkApi, ND5_ND6_BroadcastWithAFailingHost) {
  FakeTools tools;
  Fixture f({"agent1", "agent2"});
  auto r = f.call("GET", "/network/dns/eth0?target_hostname=_all");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["results"].size(), 2u) << r.body;
  EXPECT_TRUE(contains(r.body, "8.8.8.8"));
  f.add_stub("server2", "interface eth0 does not exist");
  r = f.call("GET", "/network/dns/eth0?target_hostname=_all");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 3u) << r.body;
  EXPECT_EQ(r.doc["results"][2],
            json::parse(R"({"hostname":"server2","error":"interface eth0 does not exist"})"));
}

TEST(NetworkApi, ND7_SingleTargetFailureIs500) {
  FakeTools tools;
  Fixture f;
  auto r = f.call("GET", "/network/dns/eth9?target_hostname=agent1");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc["error"],
            "job failed: failed to get DNS config: interface \"eth9\" does not exist");
}

TEST(NetworkApi, DP1_UpdateRunsResolvectl) {
  FakeTools tools;
  Fixture f;
  auto r = f.call("PUT", "/network/dns", kDnsBody);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0],
            json::parse(R"({"hostname":"agent1","status":"ok","changed":true})"));
  EXPECT_TRUE(contains(tools.calls(), "dns eth0 1.1.1.1 8.8.8.8\ndomain eth0 foo.bar\n"))
      << tools.calls();
}

TEST(NetworkApi, DnsUpdateEqualToCurrentReportsUnchanged) {
  FakeTools tools;
  Fixture f;
  auto r = f.call("PUT", "/network/dns",
                  R"({"servers":["192.168.1.1","8.8.8.8"],"interface_name":"eth0"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0]["changed"], false);
  EXPECT_FALSE(contains(tools.calls(), "dns eth0")) << tools.calls();
}

TEST(NetworkApi, DP2_to_DP5_DP11_BodyValidation) {
  Fixture f(Hosts{});
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {R"({"servers":["1.1.1.1"]})", "InterfaceName", "required"},
      {R"({"servers":["1.1.1.1"],"interface_name":"eth-0!"})", "InterfaceName", "alphanum"},
      {R"({"servers":["not-an-ip"],"interface_name":"eth0"})", "Servers[0]", "ip"},
      {R"({"search_domains":["not a valid hostname!"],"interface_name":"eth0"})",
       "SearchDomains[0]", "hostname"},
      {R"({"interface_name":"eth0"})", "Servers", "required_without"},
      {R"({"interface_name":"eth0"})", "SearchDomains", "required_without"},
  };
  for (const auto& [body, field, tag] : cases) {
    auto r = f.call("PUT", "/network/dns", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_TRUE(contains(r.body, "'DNSConfigUpdateRequest." + field + "'") &&
                contains(r.body, "'" + tag + "' tag"))
        << body << " → " << r.body;
  }
}

TEST(NetworkApi, DP7_UnknownTargetIs400) {
  Fixture f({"server1"});
  auto r = f.call("PUT", "/network/dns?target_hostname=nonexistent", kDnsBody);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "valid_target") && contains(r.body, "not found")) << r.body;
}

TEST(NetworkApi, DP8_DP9_BroadcastFailedHostNeverChanged) {
  FakeTools tools;
  Fixture f({"server1"});
  f.add_stub("server2", "disk full");
  auto r = f.call("PUT", "/network/dns?target_hostname=_all", kDnsBody);
  ASSERT_EQ(r.status, 202) << r.body;
  const json* ok = item_for(r, "server1");
  const json* failed = item_for(r, "server2");
  ASSERT_TRUE(ok && failed) << r.body;
  EXPECT_EQ((*ok)["changed"], true);
  EXPECT_EQ(*failed, json::parse(R"({"hostname":"server2","status":"failed","changed":false,)"
                                 R"("error":"job failed: disk full"})"));
  EXPECT_EQ(r.doc["results"][0]["hostname"], "server1");  // successes first
}

TEST(NetworkApi, DP10_CL13_SingleFailureWithoutResolvectlIs500) {
  Fixture f;  // no fake tools: this host has no resolvectl
  auto r = f.call("PUT", "/network/dns?target_hostname=agent1", kDnsBody);
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc["error"],
            "job failed: failed to set DNS config: exec: \"resolvectl\": executable file not "
            "found in $PATH");
  // The agent keeps serving.
  EXPECT_EQ(f.call("GET", "/node/hostname?target_hostname=agent1").status, 200);
}

TEST(NetworkApi, DP12_ChangedDefaultsToTrueWhenNotReported) {
  Fixture f(Hosts{});
  f.add_stub("server2", "", nlohmann::ordered_json{{"success", true}});
  auto r = f.call("PUT", "/network/dns?target_hostname=server2", kDnsBody);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0]["changed"], true) << r.body;
}

TEST(NetworkApi, PI1_PingLoopback) {
  Fixture f;
  auto r = f.call("POST", "/network/ping", R"({"address":"127.0.0.1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json& i = r.doc["results"][0];
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["packets_sent"], 3);
  EXPECT_EQ(i["packets_received"], 3);
  EXPECT_TRUE(contains(r.body, "\"packet_loss\":0")) << r.body;
  for (const char* k : {"min_rtt", "avg_rtt", "max_rtt"}) {
    ASSERT_TRUE(i[k].is_string()) << r.body;
    const std::string v = i[k];
    EXPECT_EQ(v.substr(v.size() - 2), "ms") << v;
  }
}

TEST(NetworkApi, PI2_PI3_AddressValidation) {
  Fixture f(Hosts{});
  auto r = f.call("POST", "/network/ping", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "Address") && contains(r.body, "'required' tag")) << r.body;
  r = f.call("POST", "/network/ping", R"({"address":"not-an-ip"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "Address") && contains(r.body, "'ip' tag")) << r.body;
  r = f.call("POST", "/network/ping", "");  // no body = {}
  EXPECT_EQ(r.status, 400);
}

TEST(NetworkApi, PI5_PI6_PI7_PingBroadcastAndFailures) {
  Fixture f;
  f.add_stub("server2", "host unreachable");
  auto r = f.call("POST", "/network/ping?target_hostname=_all", R"({"address":"127.0.0.1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(contains(r.body, "\"packets_sent\":3")) << r.body;
  const json* failed = item_for(r, "server2");
  ASSERT_TRUE(failed) << r.body;
  EXPECT_EQ(*failed, json::parse(R"({"hostname":"server2","error":"host unreachable"})"));
  r = f.call("POST", "/network/ping?target_hostname=server2", R"({"address":"127.0.0.1"})");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.doc["error"], "job failed: host unreachable");
}

TEST(NetworkApi, PingNeedsNetworkWrite) {
  Fixture f(Hosts{});
  auto r = f.call("POST", "/network/ping", R"({"address":"127.0.0.1"})",
                  Fixture::token({"read"}, {"network:read"}));
  EXPECT_EQ(r.status, 403) << r.body;
  r = f.call("GET", "/network/dns/eth0?target_hostname=", "",
             Fixture::token({"read"}, {"network:read"}));
  EXPECT_EQ(r.status, 400) << r.body;  // network:read is enough for dns get
}

TEST(NetworkApi, BodyDecodingPrecedesAuth) {
  Fixture f(Hosts{});
  auto r = f.call("PUT", "/network/dns", "{bad", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "\"message\":\"Syntax error: offset=")) << r.body;
  r = f.call("PUT", "/network/dns", kDnsBody, "", "text/plain");
  EXPECT_EQ(r.status, 415) << r.body;
  r = f.call("PUT", "/network/dns", R"({"servers":"1.1.1.1","interface_name":"eth0"})", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc["message"],
            "Unmarshal type error: expected=[]string, got=string, field=servers, offset=20");
  r = f.call("PUT", "/network/dns", kDnsBody, "");
  EXPECT_EQ(r.status, 401);
}
