// Network operations (DNS get/update/delete, ping) through real HTTP against the real API, real
// agents with a fake resolvectl, and fake agents for failing and skipping hosts.
#include <mutex>
#include <tuple>

#include "api/node_operation.h"
#include "common/ids.h"
#include "node_fixture.h"

using namespace osapi;
using namespace osapi::api::node_testing;
using json = nlohmann::json;

namespace {

const char kDnsBody[] =
    R"({"servers":["1.1.1.1","8.8.8.8"],"search_domains":["foo.bar"],"interface_name":"eth0"})";

const api::NodeOperation& op_named(const std::string& operation_id) {
  for (const auto& op : api::node_operations())
    if (op.operation_id == operation_id) return op;
  ADD_FAILURE() << "no operation " << operation_id;
  return api::node_operations().front();
}

std::string unknown_target(const std::string& t) {
  return "Key: '' Error:Field validation for '' failed on the 'valid_target' tag: target agent \"" +
         t + "\" not found";
}

}  // namespace

TEST(NetworkApi, DnsGetFromTheAgent) {
  FakeTools tools;
  Fixture f;
  auto r = f.get("/api/node/agent1/network/dns/eth0");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 1u) << r.body;
  EXPECT_TRUE(is_uuid(r.doc["job_id"].get<std::string>()));
  EXPECT_EQ(r.doc["results"][0],
            json::parse(R"({"hostname":"agent1","status":"ok","changed":false,)"
                        R"("search_domains":["example.com","local.lan"],)"
                        R"("servers":["192.168.1.1","8.8.8.8"]})"));
  EXPECT_TRUE(contains(tools.calls(), "status eth0")) << tools.calls();
}

TEST(NetworkApi, InterfaceMustBeAlphanumericOrAFactReference) {
  Fixture f(Hosts{});
  for (const char* name : {"eth-0!", "br-lan", "eth0.100", "@fact.bogus"}) {
    auto r = f.get(std::string("/api/node/_any/network/dns/") + name);
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_EQ(r.doc["error"],
              "Key: 'GetNodeNetworkDNSByInterfaceParams.InterfaceName' Error:Field validation "
              "for 'InterfaceName' failed on the 'alphanum_or_fact' tag")
        << r.body;
  }
}

TEST(NetworkApi, EmptyInterfaceIsRequired) {
  // The router never matches an empty segment, so the description is asked directly.
  const auto& op = op_named("GetNodeNetworkDNSByInterface");
  ASSERT_TRUE(op.build);
  http::Request req;
  req.path_params["interfaceName"] = "";
  auto built = op.build(req, json::object());
  auto* resp = std::get_if<http::Response>(&built);
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->status, 400);
  EXPECT_TRUE(contains(resp->body, "InterfaceName") && contains(resp->body, "'required' tag"))
      << resp->body;
}

TEST(NetworkApi, UnknownTargetIs400) {
  Fixture f({"server1"});
  for (auto [method, path, body] :
       {std::tuple<std::string, std::string, std::string>{"GET", "/network/dns/eth0", ""},
        {"PUT", "/network/dns", kDnsBody},
        {"DELETE", "/network/dns", R"({"interface_name":"eth0"})"},
        {"POST", "/network/ping", R"({"address":"127.0.0.1"})"}}) {
    auto r = f.call(method, "/api/node/nonexistent" + path, body);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(r.doc, (json{{"error", unknown_target("nonexistent")}})) << r.body;
  }
}

TEST(NetworkApi, DnsGetBroadcastWithAFailingHost) {
  FakeTools tools;
  Fixture f({"agent1", "agent2"});
  f.add_stub("server2", "interface eth0 does not exist");
  auto r = f.get("/api/node/_all/network/dns/eth0");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 3u) << r.body;
  for (const char* h : {"agent1", "agent2"}) {
    json* ok = item_for(r, h);
    ASSERT_TRUE(ok) << r.body;
    EXPECT_EQ((*ok)["status"], "ok");
    EXPECT_EQ((*ok)["servers"], json::parse(R"(["192.168.1.1","8.8.8.8"])"));
  }
  // Failures come after the successes; a read-only failure carries no `changed`.
  EXPECT_EQ(r.doc["results"][2], json::parse(R"({"hostname":"server2","status":"failed",)"
                                             R"("error":"interface eth0 does not exist"})"));
}

TEST(NetworkApi, DnsGetSingleTargetFailureIs500) {
  FakeTools tools;
  Fixture f;
  auto r = f.get("/api/node/agent1/network/dns/eth9");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc, (json{{"error",
                          "job failed: failed to get DNS config: interface \"eth9\" "
                          "does not exist"}}));
}

TEST(NetworkApi, DnsUpdateRunsResolvectl) {
  FakeTools tools;
  Fixture f;
  auto r = f.call("PUT", "/api/node/agent1/network/dns", kDnsBody);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(is_uuid(r.doc["job_id"].get<std::string>()));
  EXPECT_EQ(r.doc["results"],
            json::parse(R"([{"hostname":"agent1","status":"ok","changed":true}])"));
  EXPECT_TRUE(contains(tools.calls(), "dns eth0 1.1.1.1 8.8.8.8\ndomain eth0 foo.bar\n"))
      << tools.calls();
}

TEST(NetworkApi, DnsUpdateEqualToCurrentReportsUnchanged) {
  FakeTools tools;
  Fixture f;
  auto r = f.call("PUT", "/api/node/_any/network/dns",
                  R"({"servers":["192.168.1.1","8.8.8.8"],"interface_name":"eth0"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0]["status"], "ok");
  EXPECT_EQ(r.doc["results"][0]["changed"], false);
  EXPECT_FALSE(contains(tools.calls(), "dns eth0")) << tools.calls();
}

TEST(NetworkApi, DnsUpdateBodyValidation) {
  Fixture f(Hosts{});
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {R"({"servers":["1.1.1.1"]})", "InterfaceName", "required"},
      {R"({"servers":["1.1.1.1"],"interface_name":"eth-0!"})", "InterfaceName", "alphanum_or_fact"},
      {R"({"servers":["not-an-ip"],"interface_name":"eth0"})", "Servers[0]", "ip"},
      {R"({"search_domains":["not a valid hostname!"],"interface_name":"eth0"})",
       "SearchDomains[0]", "hostname"},
      {R"({"interface_name":"eth0"})", "Servers", "required_without"},
      {R"({"interface_name":"eth0"})", "SearchDomains", "required_without"},
  };
  for (const auto& [body, field, tag] : cases) {
    auto r = f.call("PUT", "/api/node/_any/network/dns", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_TRUE(contains(r.body, "'DNSConfigUpdateRequest." + field + "'") &&
                contains(r.body, "'" + tag + "' tag"))
        << body << " → " << r.body;
  }
}

TEST(NetworkApi, DnsUpdateBroadcastFailedHostNeverChanged) {
  FakeTools tools;
  Fixture f({"server1"});
  f.add_stub("server2", "disk full");
  auto r = f.call("PUT", "/api/node/_all/network/dns", kDnsBody);
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 2u) << r.body;
  EXPECT_EQ(r.doc["results"][0],
            json::parse(R"({"hostname":"server1","status":"ok","changed":true})"));
  EXPECT_EQ(r.doc["results"][1], json::parse(R"({"hostname":"server2","status":"failed",)"
                                             R"("changed":false,"error":"disk full"})"));
}

TEST(NetworkApi, DnsUpdateWithoutResolvectlIsSkipped) {
  Fixture f;  // no fake tools: this host has no resolvectl, so DNS cannot be managed here
  auto r = f.call("PUT", "/api/node/agent1/network/dns", kDnsBody);
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 1u) << r.body;
  EXPECT_EQ(r.doc["results"][0],
            json::parse(R"({"hostname":"agent1","status":"skipped","changed":false,)"
                        R"("error":"operation not supported on this OS family"})"));
  // The agent keeps serving.
  EXPECT_EQ(f.get("/api/node/agent1/hostname").status, 200);
}

TEST(NetworkApi, DnsUpdateChangedDefaultsToTrueWhenNotReported) {
  Fixture f(Hosts{});
  f.add_stub("server2", "", nlohmann::ordered_json{{"success", true}});
  auto r = f.call("PUT", "/api/node/server2/network/dns", kDnsBody);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"],
            json::parse(R"([{"hostname":"server2","status":"ok","changed":true}])"));
}

TEST(NetworkApi, DnsDeleteSendsTheInterfaceAndReportsChanged) {
  std::vector<nlohmann::ordered_json> seen;  // outlives the fixture's fake agents
  std::mutex mu;
  Fixture f(Hosts{});
  FakeAgentOptions changed;
  changed.hostname = "server2";
  changed.reply = [&](const std::string& type, const nlohmann::ordered_json& data) {
    std::lock_guard<std::mutex> lk(mu);
    seen.push_back({{"type", type}, {"data", data}});
    return reply_ok(nlohmann::ordered_json{{"changed", true}}, true);
  };
  f.add_fake(changed);
  FakeAgentOptions unchanged;
  unchanged.hostname = "server3";
  unchanged.reply = [](const std::string&, const nlohmann::ordered_json&) {
    return reply_ok(nlohmann::ordered_json{{"changed", false}}, false);
  };
  f.add_fake(unchanged);

  auto r = f.call("DELETE", "/api/node/server2/network/dns", R"({"interface_name":"eth0"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["results"],
            json::parse(R"([{"hostname":"server2","status":"ok","changed":true}])"));
  {
    std::lock_guard<std::mutex> lk(mu);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0]["type"], "network.dns.delete");
    EXPECT_EQ(seen[0]["data"], (nlohmann::ordered_json{{"interface", "eth0"}}));
  }
  r = f.call("DELETE", "/api/node/server3/network/dns", R"({"interface_name":"eth0"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["results"][0]["changed"], false);
}

TEST(NetworkApi, DnsDeleteBodyValidation) {
  Fixture f(Hosts{});
  auto r = f.call("DELETE", "/api/node/_any/network/dns", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc["error"],
            "Key: 'DNSDeleteRequest.InterfaceName' Error:Field validation for 'InterfaceName' "
            "failed on the 'required' tag");
  r = f.call("DELETE", "/api/node/_any/network/dns", R"({"interface_name":"eth 0"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "'alphanum_or_fact' tag")) << r.body;
  r = f.call("DELETE", "/api/node/_any/network/dns", R"({"interface_name":7})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""), "Unmarshal type error")) << r.body;
  r = f.call("DELETE", "/api/node/_any/network/dns", R"({"interface_name":"eth0"})",
             Fixture::token({"read"}));
  EXPECT_EQ(r.status, 403) << r.body;
}

TEST(NetworkApi, SkippedHostIsASingleSkippedItem) {
  Fixture f(Hosts{});
  FakeAgentOptions o;
  o.hostname = "mac1";
  o.reply = [](const std::string&, const nlohmann::ordered_json&) { return reply_skipped(); };
  f.add_fake(o);
  auto r = f.get("/api/node/mac1/network/dns/eth0");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["results"],
            json::parse(R"([{"hostname":"mac1","status":"skipped",)"
                        R"("error":"operation not supported on this OS family"}])"));
  r = f.call("PUT", "/api/node/mac1/network/dns", kDnsBody);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"],
            json::parse(R"([{"hostname":"mac1","status":"skipped","changed":false,)"
                        R"("error":"operation not supported on this OS family"}])"));
}

TEST(NetworkApi, PingLoopback) {
  Fixture f;
  auto r = f.call("POST", "/api/node/agent1/network/ping", R"({"address":"127.0.0.1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 1u);
  json i = r.doc["results"][0];
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["changed"], false);
  EXPECT_EQ(i["packets_sent"], 3);
  EXPECT_EQ(i["packets_received"], 3);
  EXPECT_TRUE(contains(r.body, "\"packet_loss\":0")) << r.body;
  for (const char* k : {"min_rtt", "avg_rtt", "max_rtt"}) {
    ASSERT_TRUE(i[k].is_string()) << r.body;
    const std::string v = i[k];
    EXPECT_EQ(v.substr(v.size() - 2), "ms") << v;
  }
}

TEST(NetworkApi, PingAddressValidation) {
  Fixture f(Hosts{});
  auto r = f.call("POST", "/api/node/_any/network/ping", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc["error"],
            "Key: 'PostNodeNetworkPingJSONBody.Address' Error:Field validation for 'Address' "
            "failed on the 'required' tag");
  r = f.call("POST", "/api/node/_any/network/ping", R"({"address":"not-an-ip"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "Address") && contains(r.body, "'ip_or_fact' tag")) << r.body;
  r = f.call("POST", "/api/node/_any/network/ping", "");  // no body = {}
  EXPECT_EQ(r.status, 400);
}

TEST(NetworkApi, PingBroadcastAndFailures) {
  Fixture f;
  f.add_stub("server2", "host unreachable");
  auto r = f.call("POST", "/api/node/_all/network/ping", R"({"address":"127.0.0.1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  json* ok = item_for(r, "agent1");
  ASSERT_TRUE(ok) << r.body;
  EXPECT_EQ((*ok)["packets_sent"], 3);
  json* failed = item_for(r, "server2");
  ASSERT_TRUE(failed) << r.body;
  EXPECT_EQ(*failed, json::parse(R"({"hostname":"server2","status":"failed",)"
                                 R"("error":"host unreachable"})"));
  r = f.call("POST", "/api/node/server2/network/ping", R"({"address":"127.0.0.1"})");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.doc, (json{{"error", "job failed: host unreachable"}}));
}

TEST(NetworkApi, PingNeedsNetworkWriteAndDnsGetNetworkRead) {
  Fixture f(Hosts{});
  auto r = f.call("POST", "/api/node/_any/network/ping", R"({"address":"127.0.0.1"})",
                  Fixture::token({"read"}, {"network:read"}));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_TRUE(contains(r.body, "Required: [network:write]")) << r.body;
  r = f.call("GET", "/api/node/nonexistent/network/dns/eth0", "",
             Fixture::token({"read"}, {"network:read"}));
  EXPECT_EQ(r.status, 400) << r.body;  // past auth
  r = f.call("PUT", "/api/node/nonexistent/network/dns", kDnsBody, Fixture::token({"read"}));
  EXPECT_EQ(r.status, 403) << r.body;
}

TEST(NetworkApi, BodyDecodingPrecedesAuth) {
  Fixture f(Hosts{});
  auto r = f.call("PUT", "/api/node/_any/network/dns", "{bad", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "\"message\":\"Syntax error: offset=")) << r.body;
  r = f.call("PUT", "/api/node/_any/network/dns", kDnsBody, "", "text/plain");
  EXPECT_EQ(r.status, 415) << r.body;
  r = f.call("PUT", "/api/node/_any/network/dns",
             R"({"servers":"1.1.1.1","interface_name":"eth0"})", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc["message"],
            "Unmarshal type error: expected=[]string, got=string, field=servers, offset=20");
  r = f.call("PUT", "/api/node/_any/network/dns", kDnsBody, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.doc, (json{{"error", "Bearer token required"}}));
}
