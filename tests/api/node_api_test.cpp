// Node operations (status, disk, memory, load, OS, uptime, hostname get/put) through real HTTP
// against the real API and a real agent, and the result contract every node operation shares —
// targets (hostname, machine id, _any, _all, labels), `ok`/`failed`/`skipped` items, `changed`,
// timeout rows of silent broadcast agents — with fake agents.
#include <unistd.h>

#include <regex>

#include "common/ids.h"
#include "node_fixture.h"

using namespace osapi;
using namespace osapi::api::node_testing;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

std::string kernel_hostname() {
  char buf[256] = {};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : "";
}

// The item of a single-target request, after the envelope checks every node operation shares.
json single_item(Reply r, int status = 200) {
  EXPECT_EQ(r.status, status) << r.body;
  if (!r.doc.is_object()) return json();
  EXPECT_TRUE(r.doc.contains("job_id") && is_uuid(r.doc["job_id"].get<std::string>())) << r.body;
  EXPECT_EQ(r.doc.size(), 2u) << r.body;  // job_id and results only
  if (!r.doc["results"].is_array() || r.doc["results"].size() != 1) {
    ADD_FAILURE() << "expected one result: " << r.body;
    return json();
  }
  return r.doc["results"][0];
}

void expect_uptime_text(json v) {
  ASSERT_TRUE(v.is_string()) << v;
  EXPECT_TRUE(
      std::regex_match(v.get<std::string>(), std::regex(R"(\d+ days?, \d+ hours?, \d+ minutes?)")))
      << v;
}

void expect_memory(json m) {
  ASSERT_TRUE(m.is_object()) << m;
  EXPECT_EQ(m.size(), 3u) << m;
  for (const char* k : {"total", "free", "used"}) EXPECT_TRUE(m[k].is_number_integer()) << m;
  EXPECT_GT(m["total"].get<int64_t>(), 0);
  EXPECT_LE(m["free"].get<int64_t>(), m["total"].get<int64_t>());
  EXPECT_LE(m["used"].get<int64_t>(), m["total"].get<int64_t>());
}

void expect_load(json l) {
  ASSERT_TRUE(l.is_object()) << l;
  EXPECT_EQ(l.size(), 3u) << l;
  for (const char* k : {"1min", "5min", "15min"}) EXPECT_TRUE(l[k].is_number()) << l;
}

void expect_disks(json d) {
  ASSERT_TRUE(d.is_array()) << d;
  for (const auto& disk : d) {
    EXPECT_TRUE(disk["name"].is_string()) << disk;
    for (const char* k : {"total", "used", "free"})
      EXPECT_TRUE(disk[k].is_number_integer()) << disk;
  }
}

void expect_os(json o) {
  ASSERT_TRUE(o.is_object()) << o;
  EXPECT_FALSE(o["distribution"].get<std::string>().empty()) << o;
  EXPECT_TRUE(o["version"].is_string()) << o;
}

// A fake agent answering every job with `data` (completed).
FakeAgentOptions answering(const std::string& hostname, ojson data = nullptr,
                           std::map<std::string, std::string> labels = {}) {
  FakeAgentOptions o;
  o.hostname = hostname;
  o.labels = std::move(labels);
  o.reply = [data](const std::string&, const ojson&) { return reply_ok(data); };
  return o;
}

FakeAgentOptions silent(const std::string& hostname, std::string state = "Ready") {
  FakeAgentOptions o;
  o.hostname = hostname;
  o.silent = true;
  o.state = std::move(state);
  return o;
}

void short_timeout(config::Config& c) {
  c.controller.api.job_timeout = std::chrono::seconds(2);
}

}  // namespace

// --- the operations against a real agent -----------------------------------------------------

TEST(NodeApi, StatusFromTheAgent) {
  Fixture f;
  json i = single_item(f.get("/api/node/agent1"));
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["changed"], false);
  const std::string h = i.value("hostname", "");
  EXPECT_TRUE(h == "agent1" || h == kernel_hostname()) << h;
  expect_disks(i["disks"]);
  expect_load(i["load_average"]);
  expect_memory(i["memory"]);
  expect_os(i["os_info"]);
  expect_uptime_text(i["uptime"]);
  EXPECT_FALSE(i.contains("error"));
}

TEST(NodeApi, DiskFromTheAgent) {
  Fixture f;
  json i = single_item(f.get("/api/node/agent1/disk"));
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["changed"], false);
  expect_disks(i["disks"]);
  EXPECT_EQ(i.size(), 4u) << i;
}

TEST(NodeApi, MemoryFromTheAgent) {
  Fixture f;
  json i = single_item(f.get("/api/node/agent1/memory"));
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["changed"], false);
  expect_memory(i["memory"]);
  EXPECT_EQ(i.size(), 4u) << i;
}

TEST(NodeApi, LoadFromTheAgent) {
  Fixture f;
  json i = single_item(f.get("/api/node/agent1/load"));
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["changed"], false);
  expect_load(i["load_average"]);
  EXPECT_EQ(i.size(), 4u) << i;
}

TEST(NodeApi, OsFromTheAgent) {
  Fixture f;
  json i = single_item(f.get("/api/node/agent1/os"));
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["changed"], false);
  expect_os(i["os_info"]);
  EXPECT_EQ(i.size(), 4u) << i;
}

TEST(NodeApi, UptimeFromTheAgent) {
  Fixture f;
  json i = single_item(f.get("/api/node/agent1/uptime"));
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["changed"], false);
  expect_uptime_text(i["uptime"]);
  EXPECT_EQ(i.size(), 4u) << i;
}

TEST(NodeApi, HostnameFromTheAgent) {
  Fixture f({"agent1"}, [](config::Config& c) { c.agent.labels = {{"group", "web"}}; });
  json i = single_item(f.get("/api/node/agent1/hostname"));
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["changed"], false);
  const std::string h = i.value("hostname", "");
  EXPECT_TRUE(h == "agent1" || h == kernel_hostname()) << h;
  EXPECT_EQ(i["labels"], json({{"group", "web"}}));
}

// Each read answers for the agents of a broadcast and for _any the same way.
TEST(NodeApi, ReadsOverAnyAndAll) {
  Fixture f({"agent1", "agent2"});
  for (const char* path : {"/disk", "/memory", "/load", "/os", "/uptime"}) {
    auto all = f.get(std::string("/api/node/_all") + path);
    ASSERT_EQ(all.status, 200) << all.body;
    EXPECT_EQ(all.doc["results"].size(), 2u) << path;
    EXPECT_TRUE(item_for(all, "agent1") && item_for(all, "agent2")) << all.body;
    for (const auto& item : all.doc["results"]) EXPECT_EQ(item["status"], "ok") << item;
    auto any = f.get(std::string("/api/node/_any") + path);
    ASSERT_EQ(any.status, 200) << any.body;
    EXPECT_EQ(any.doc["results"].size(), 1u) << path;
  }
}

TEST(NodeApi, ReadsNeedNodeRead) {
  Fixture f(Hosts{});
  for (const char* path : {"", "/disk", "/memory", "/load", "/os", "/uptime", "/hostname"}) {
    const std::string p = std::string("/api/node/_any") + path;
    EXPECT_EQ(f.call("GET", p, "", "").status, 401) << p;
    auto r = f.call("GET", p, "", Fixture::token({"read"}, {"network:read"}));
    EXPECT_EQ(r.status, 403) << p;
    EXPECT_TRUE(contains(r.body, "Required: [node:read]")) << r.body;
  }
}

// --- hostname get/put with fake agents --------------------------------------------------------

// Items are keyed by the agent that answered (its agent.hostname when one is set), whatever
// name its kernel reports: two agents on one machine stay two rows.
TEST(NodeApi, HostnameGetRendersTheAgentAndItsLabels) {
  Fixture f(Hosts{});
  f.add_fake(answering("web1", ojson{{"hostname", "web-01"}, {"labels", {{"group", "web"}}}}));
  json i = single_item(f.get("/api/node/web1/hostname"));
  EXPECT_EQ(i, json::parse(R"({"hostname":"web1","status":"ok","changed":false,)"
                           R"("labels":{"group":"web"}})"));
}

TEST(NodeApi, HostnamePutSendsTheNameAndReportsChanged) {
  std::vector<ojson> seen;  // outlives the fixture's fake agents
  std::mutex mu;
  Fixture f(Hosts{});
  FakeAgentOptions o;
  o.hostname = "web1";
  o.reply = [&](const std::string& type, const ojson& data) {
    std::lock_guard<std::mutex> lk(mu);
    seen.push_back({{"type", type}, {"data", data}});
    const bool changed = data.value("hostname", "") != "web1";
    return reply_ok(ojson{{"changed", changed}}, changed);
  };
  f.add_fake(o);
  f.add_fake(answering("web2", ojson{{"success", true}}));

  auto r = f.call("PUT", "/api/node/web1/hostname", R"({"hostname":"web-01"})");
  EXPECT_EQ(single_item(r, 202),
            json::parse(R"({"hostname":"web1","status":"ok","changed":true})"));
  {
    std::lock_guard<std::mutex> lk(mu);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0]["type"], "node.hostname.update");
    EXPECT_EQ(seen[0]["data"], (ojson{{"hostname", "web-01"}}));
  }
  r = f.call("PUT", "/api/node/web1/hostname", R"({"hostname":"web1"})");
  EXPECT_EQ(single_item(r, 202)["changed"], false);
  // An agent that does not say is taken to have changed the host.
  r = f.call("PUT", "/api/node/web2/hostname", R"({"hostname":"db-01"})");
  EXPECT_EQ(single_item(r, 202)["changed"], true);
}

TEST(NodeApi, HostnamePutValidation) {
  Fixture f(Hosts{});
  auto r = f.call("PUT", "/api/node/_any/hostname", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc["error"],
            "Key: 'HostnameUpdateRequest.Hostname' Error:Field validation for 'Hostname' failed "
            "on the 'required' tag");
  r = f.call("PUT", "/api/node/_any/hostname", R"({"hostname":""})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "'required' tag")) << r.body;
  r = f.call("PUT", "/api/node/_any/hostname", json{{"hostname", std::string(254, 'a')}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "'Hostname' failed on the 'max' tag")) << r.body;
  r = f.call("PUT", "/api/node/_any/hostname", R"({"hostname":5})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.doc.value("message", ""),
                       "Unmarshal type error: expected=string, got=number, field=hostname"))
      << r.body;
  r = f.call("PUT", "/api/node/nonexistent/hostname", R"({"hostname":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "target agent \\\"nonexistent\\\" not found")) << r.body;
  r = f.call("PUT", "/api/node/_any/hostname", R"({"hostname":"x"})", Fixture::token({"read"}));
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(contains(r.body, "Required: [node:write]")) << r.body;
}

TEST(NodeApi, HostnamePutFailures) {
  Fixture f(Hosts{});
  f.add_stub("web1", "hostnamectl: permission denied");
  f.add_fake(answering("web2"));
  auto r = f.call("PUT", "/api/node/web1/hostname", R"({"hostname":"x"})");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.doc, (json{{"error", "job failed: hostnamectl: permission denied"}}));
  r = f.call("PUT", "/api/node/_all/hostname", R"({"hostname":"x"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"], json::parse(R"([{"hostname":"web2","status":"ok","changed":true},
                            {"hostname":"web1","status":"failed","changed":false,
                             "error":"hostnamectl: permission denied"}])"));
}

// --- targets --------------------------------------------------------------------------------

TEST(NodeTargets, MachineIdAndHostnameNameTheSameAgent) {
  Fixture f(Hosts{});
  auto& web = f.add_fake(answering("web1", ojson{{"uptime_seconds", 90061}}));
  f.add_fake(answering("web2", ojson{{"uptime_seconds", 60}}));
  for (const std::string& target : {std::string("web1"), web.machine_id()}) {
    json i = single_item(f.get("/api/node/" + target + "/uptime"));
    EXPECT_EQ(i, json::parse(R"({"hostname":"web1","status":"ok","changed":false,)"
                             R"("uptime":"1 day, 1 hour, 1 minute"})"))
        << target;
  }
}

TEST(NodeTargets, LabelsSelectByExactValueOrDottedPrefix) {
  Fixture f(Hosts{});
  f.add_fake(answering("web1", ojson{{"uptime_seconds", 60}}, {{"group", "web.dev"}}));
  f.add_fake(answering("web2", ojson{{"uptime_seconds", 60}}, {{"group", "web.prod"}}));
  f.add_fake(answering("db1", ojson{{"uptime_seconds", 60}}, {{"group", "db"}}));
  auto hosts = [&](const std::string& target) {
    auto r = f.get("/api/node/" + target + "/uptime");
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    for (const auto& i : r.doc["results"]) out.insert(i["hostname"].get<std::string>());
    return out;
  };
  EXPECT_EQ(hosts("group:web"), (std::set<std::string>{"web1", "web2"}));
  EXPECT_EQ(hosts("group:web.dev"), (std::set<std::string>{"web1"}));
  EXPECT_EQ(hosts("group:db"), (std::set<std::string>{"db1"}));
  EXPECT_EQ(hosts("_all"), (std::set<std::string>{"web1", "web2", "db1"}));
  for (const char* t : {"group:we", "group:nope", "role:web"}) {
    auto r = f.get(std::string("/api/node/") + t + "/uptime");
    EXPECT_EQ(r.status, 400) << t;
    EXPECT_EQ(r.doc["error"],
              "Key: '' Error:Field validation for '' failed on the 'valid_target' tag: target "
              "agent \"" +
                  std::string(t) + "\" not found")
        << r.body;
  }
}

TEST(NodeTargets, PendingAgentsAreNoTarget) {
  Fixture f(Hosts{});
  f.add_fake(silent("pend1", "Pending"));
  auto r = f.get("/api/node/pend1/uptime");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.doc["error"],
            "Key: '' Error:Field validation for '' failed on the 'valid_target' tag: agent "
            "\"pend1\" is pending PKI enrollment — accept it with: osapi client agent accept "
            "--hostname pend1");
  for (const char* t : {"_all", "_any"}) {
    r = f.get(std::string("/api/node/") + t + "/uptime");
    EXPECT_EQ(r.status, 400) << t;
    EXPECT_TRUE(contains(r.body, "every registered agent is pending PKI enrollment")) << r.body;
  }
}

// --- result contract: timeouts, skipped, failures ---------------------------------------------

TEST(NodeResults, BroadcastSilentAgentIsAFailedTimeoutRow) {
  Fixture f({"agent1"}, short_timeout);
  f.add_fake(silent("ghost"));
  const auto begin = std::chrono::steady_clock::now();
  auto r = f.get("/api/node/_all/uptime");
  const auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 2u) << r.body;
  EXPECT_EQ(r.doc["results"][0]["hostname"], "agent1");
  EXPECT_EQ(r.doc["results"][0]["status"], "ok");
  EXPECT_EQ(r.doc["results"][1], json::parse(R"({"hostname":"ghost","status":"failed",)"
                                             R"("error":"timeout: agent did not respond"})"));
  EXPECT_GE(took, std::chrono::milliseconds(1900));  // waited for the silent one
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST(NodeResults, TimeoutRowOfAMutationIsUnchanged) {
  Fixture f(Hosts{}, short_timeout);
  f.add_fake(answering("web1"));
  f.add_fake(silent("ghost"));
  auto r = f.call("PUT", "/api/node/_all/hostname", R"({"hostname":"x"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"], json::parse(R"([{"hostname":"web1","status":"ok","changed":true},
                            {"hostname":"ghost","status":"failed","changed":false,
                             "error":"timeout: agent did not respond"}])"));
}

TEST(NodeResults, CordonedAndDrainingAgentsAreNotWaitedFor) {
  Fixture f(Hosts{},
            [](config::Config& c) { c.controller.api.job_timeout = std::chrono::seconds(10); });
  f.add_fake(answering("web1", ojson{{"uptime_seconds", 60}}));
  f.add_fake(silent("cordoned1", "Cordoned"));
  f.add_fake(silent("draining1", "Draining"));
  const auto begin = std::chrono::steady_clock::now();
  auto r = f.get("/api/node/_all/uptime");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc["results"].size(), 1u) << r.body;
  EXPECT_EQ(r.doc["results"][0]["hostname"], "web1");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

TEST(NodeResults, SingleTargetTimeoutIs500) {
  Fixture f(Hosts{}, short_timeout);
  f.add_fake(silent("ghost"));
  auto r = f.get("/api/node/ghost/uptime");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.doc, (json{{"error",
                          "failed to publish and wait: timeout waiting for job response: context "
                          "deadline exceeded"}}));
}

TEST(NodeResults, BroadcastWithNoResponseIs500) {
  Fixture f(Hosts{}, short_timeout);
  f.add_fake(silent("ghost1"));
  f.add_fake(silent("ghost2"));
  auto r = f.get("/api/node/_all/uptime");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.doc, (json{{"error",
                          "failed to collect broadcast responses: timeout waiting for broadcast "
                          "responses: no agents responded"}}));
}

TEST(NodeResults, SkippedIsASingleSkippedItem) {
  Fixture f(Hosts{});
  FakeAgentOptions o;
  o.hostname = "mac1";
  o.reply = [](const std::string&, const ojson&) { return reply_skipped(); };
  f.add_fake(o);
  for (const char* path : {"", "/disk", "/memory", "/load", "/os", "/uptime", "/hostname"}) {
    json i = single_item(f.get(std::string("/api/node/mac1") + path));
    EXPECT_EQ(i, json::parse(R"({"hostname":"mac1","status":"skipped",)"
                             R"("error":"operation not supported on this OS family"})"))
        << path;
  }
  json put = single_item(f.call("PUT", "/api/node/mac1/hostname", R"({"hostname":"x"})"), 202);
  EXPECT_EQ(put, json::parse(R"({"hostname":"mac1","status":"skipped","changed":false,)"
                             R"("error":"operation not supported on this OS family"})"));
}

TEST(NodeResults, BroadcastMixesOkSkippedAndFailed) {
  Fixture f(Hosts{});
  f.add_fake(answering("web1", ojson{{"uptime_seconds", 3600}}));
  FakeAgentOptions mac;
  mac.hostname = "mac1";
  mac.reply = [](const std::string&, const ojson&) { return reply_skipped(); };
  f.add_fake(mac);
  f.add_stub("bad1", "failed to get uptime: no /proc");
  auto r = f.get("/api/node/_all/uptime");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 3u) << r.body;
  EXPECT_EQ(*item_for(r, "web1"), json::parse(R"({"hostname":"web1","status":"ok","changed":false,)"
                                              R"("uptime":"0 days, 1 hour, 0 minutes"})"));
  EXPECT_EQ(*item_for(r, "mac1"),
            json::parse(R"({"hostname":"mac1","status":"skipped",)"
                        R"("error":"operation not supported on this OS family"})"));
  EXPECT_EQ(*item_for(r, "bad1"), json::parse(R"({"hostname":"bad1","status":"failed",)"
                                              R"("error":"failed to get uptime: no /proc"})"));
  EXPECT_EQ(r.doc["results"][2]["hostname"], "bad1");  // failures last
}

TEST(NodeResults, FieldsAreRenderedFromTheAgentsData) {
  Fixture f(Hosts{});
  FakeAgentOptions o;
  o.hostname = "web1";
  o.reply = [](const std::string& type, const ojson&) -> FakeReply {
    if (type == "node.disk.get")
      return reply_ok(
          ojson{{"disks", {{{"Name", "/"}, {"Total", 100}, {"Used", 60}, {"Free", 40}}}}});
    if (type == "node.memory.get")
      return reply_ok(ojson{{"Total", 1000}, {"Free", 300}, {"Cached", 200}});
    if (type == "node.load.get")
      return reply_ok(ojson{{"Load1", 0.5}, {"Load5", 0.25}, {"Load15", 1.0}});
    if (type == "node.os.get")
      return reply_ok(ojson{{"Distribution", "debian"}, {"Version", "12"}});
    return reply_failed("unexpected " + type);
  };
  f.add_fake(o);
  auto item = [&](const char* path) {
    return single_item(f.get(std::string("/api/node/web1") + path));
  };
  EXPECT_EQ(item("/disk")["disks"],
            json::parse(R"([{"name":"/","total":100,"used":60,"free":40}])"));
  EXPECT_EQ(item("/memory")["memory"], json::parse(R"({"total":1000,"free":300,"used":500})"));
  EXPECT_EQ(item("/load")["load_average"], json::parse(R"({"1min":0.5,"5min":0.25,"15min":1.0})"));
  EXPECT_EQ(item("/os")["os_info"], json::parse(R"({"distribution":"debian","version":"12"})"));
}
