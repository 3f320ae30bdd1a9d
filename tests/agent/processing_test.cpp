// One job through a real agent: @fact. references, the skipped outcome, `changed` only for
// modify jobs, hostname update through a fake hostnamectl (the real host is never renamed),
// and every operation of the current surface reaching its provider.
#include <gtest/gtest.h>

#include "agent/dispatch.h"
#include "agent_fixture.h"
#include "provider/hostname.h"

using namespace osapi;
using osapi::agent_test::eventually;
using osapi::agent_test::FakeTools;
using osapi::agent_test::Fixture;
using json = nlohmann::ordered_json;

namespace {

provider::Facts sample_facts() {
  provider::Facts f;
  f.architecture = "arm64";
  f.kernel_version = "6.1.0-test";
  f.cpu_count = 2;
  f.primary_interface = "eth7";
  return f;
}

agent::AgentOptions fixed_facts() {
  agent::AgentOptions o;
  o.collect_facts = [] { return sample_facts(); };
  return o;
}

json exec(const std::vector<std::string>& args) {
  return json{{"type", "command.exec.execute"}, {"data", {{"command", "echo"}, {"args", args}}}};
}

// A name that is certainly not the current one.
std::string other_hostname() {
  auto current = provider::kernel_hostname();
  return current.ok() && *current == "osapi-renamed-a" ? "osapi-renamed-b" : "osapi-renamed-a";
}

// Every delivery of the job has been acked or terminated and none is waiting for redelivery.
bool settled(Fixture& f, const std::string& durable, const agent::Agent& a) {
  auto info = f.consumer(durable, a);
  return info.ok() && info->num_ack_pending == 0 && info->num_pending == 0;
}

}  // namespace

TEST(AgentProcessing, FactReferencesAreResolvedBeforeDispatch) {
  Fixture f;
  auto& a = f.add_agent("agent-a", {}, fixed_facts());
  auto r = f.run_on(a, exec({"@fact.hostname", "on @fact.arch,@fact.interface.primary"}),
                    job::OpKind::kModify);
  ASSERT_EQ(r.status, "completed") << r.error;
  EXPECT_EQ(r.data["stdout"], "agent-a on arm64,eth7\n");
}

TEST(AgentProcessing, UnresolvableReferenceFailsTheJobOnce) {
  Fixture f;
  auto& a = f.add_agent("agent-a", {}, fixed_facts());
  auto out = f.run(exec({"@fact.bogus"}), "agent-a", job::OpKind::kModify);
  ASSERT_TRUE(out.ok()) << out.error().message;
  const auto& r = out->responses.front();
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.error,
            "failed to resolve fact references: unresolvable fact reference \"@fact.bogus\": "
            "unknown fact key");
  // An unknown key never resolves: the message is terminated, not redelivered.
  EXPECT_TRUE(eventually([&] { return settled(f, "modify_direct", a); }));
  auto view = f.jobs->get(out->job_id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "failed");
}

TEST(AgentProcessing, UnsupportedOperationIsSkippedAndAcked) {
  FakeTools empty_path(/*only=*/true);  // no hostnamectl, no resolvectl
  Fixture f;
  f.cfg.agent.consumer.ack_wait = std::chrono::seconds(1);
  f.cfg.agent.consumer.back_off = {std::chrono::milliseconds(200)};
  auto& a = f.add_agent("agent-a");
  for (const json& op :
       {json{{"type", "node.hostname.update"}, {"data", {{"hostname", other_hostname()}}}},
        json{{"type", "network.dns.delete"}, {"data", {{"interface", "eth0"}}}},
        json{{"type", "network.dns.update"}, {"data", {{"servers", {"1.1.1.1"}}}}}}) {
    auto out = f.run(op, "agent-a", job::OpKind::kModify);
    ASSERT_TRUE(out.ok()) << out.error().message;
    const auto& r = out->responses.front();
    EXPECT_EQ(r.status, "skipped") << op.dump();
    EXPECT_EQ(r.error, "operation not supported on this OS family");
    EXPECT_FALSE(r.changed.has_value());
    EXPECT_TRUE(eventually([&] { return settled(f, "modify_direct", a); }));
    // Well past ack_wait and back_off: still exactly one answer.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_EQ(f.response_count(out->job_id), 1u);
    // The terminal event is `skipped` (the job view derives its status from it).
    auto events = f.jobs_kv->keys(job::status_prefix(out->job_id) + "skipped.>");
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 1u);
  }
}

TEST(AgentProcessing, ChangedIsCopiedOnlyForModifyJobs) {
  Fixture f;
  auto& a = f.add_agent("agent-a");
  // Same result (command results carry "changed": true), two subject kinds.
  auto modify = f.run_on(a, exec({"x"}), job::OpKind::kModify);
  ASSERT_EQ(modify.status, "completed") << modify.error;
  ASSERT_TRUE(modify.changed.has_value());
  EXPECT_TRUE(*modify.changed);
  auto query = f.run_on(a, exec({"x"}), job::OpKind::kQuery);
  ASSERT_EQ(query.status, "completed") << query.error;
  EXPECT_TRUE(query.data["changed"].get<bool>());
  EXPECT_FALSE(query.changed.has_value());
  // A modify job whose result has no top-level boolean `changed`: nothing is made up.
  auto uptime = f.run_on(a, json{{"type", "node.uptime.get"}}, job::OpKind::kModify);
  ASSERT_EQ(uptime.status, "completed") << uptime.error;
  EXPECT_FALSE(uptime.changed.has_value());
}

TEST(AgentProcessing, HostnameUpdateThroughFakeHostnamectl) {
  FakeTools tools;
  tools.add("hostnamectl");
  Fixture f;
  auto& a = f.add_agent("agent-a");
  const std::string name = other_hostname();
  const json op{{"type", "node.hostname.update"}, {"data", {{"hostname", name}}}};
  auto r = f.run_on(a, op, job::OpKind::kModify);
  ASSERT_EQ(r.status, "completed") << r.error;
  EXPECT_EQ(r.data, (json{{"hostname", name}, {"changed", true}}));
  ASSERT_TRUE(r.changed.has_value());
  EXPECT_TRUE(*r.changed);
  EXPECT_EQ(tools.calls(), "set-hostname " + name + "\n");

  // The current name: nothing runs, changed false.
  auto current = provider::kernel_hostname();
  ASSERT_TRUE(current.ok());
  if (provider::validate_hostname(*current).ok()) {
    auto same =
        f.run_on(a, json{{"type", "node.hostname.update"}, {"data", {{"hostname", *current}}}},
                 job::OpKind::kModify);
    ASSERT_EQ(same.status, "completed") << same.error;
    EXPECT_FALSE(*same.changed);
  }

  // The same operation on a query subject reads the hostname instead.
  auto get = f.run_on(a, op, job::OpKind::kQuery);
  ASSERT_EQ(get.status, "completed") << get.error;
  EXPECT_EQ(get.data["hostname"], *current);
  EXPECT_EQ(tools.calls(), "set-hostname " + name + "\n");  // still one call

  // Bad input fails without a retry.
  auto bad = f.run_on(a, json{{"type", "node.hostname.update"}, {"data", {{"hostname", "-x"}}}},
                      job::OpKind::kModify);
  EXPECT_EQ(bad.status, "failed");
  EXPECT_EQ(bad.error,
            "failed to set hostname: invalid hostname \"-x\": a label cannot start or end with "
            "'-'");
  EXPECT_TRUE(eventually([&] { return settled(f, "modify_direct", a); }));
}

// The operations of the current surface all reach a provider (none is "unsupported ...").
TEST(AgentDispatch, EveryOperationOfTheSurfaceDispatches) {
  FakeTools tools;
  tools.add("hostnamectl");
  tools.add("resolvectl", "[ \"$1\" = status ] && echo '       DNS Servers: 9.9.9.9'\n");
  const std::string name = other_hostname();
  struct Case {
    const char* type;
    json data;
    bool modify;
  };
  const std::vector<Case> cases = {
      {"node.disk.get", json::object(), false},
      {"node.memory.get", json::object(), false},
      {"node.load.get", json::object(), false},
      {"node.os.get", json::object(), false},
      {"node.uptime.get", json::object(), false},
      {"node.status.get", json::object(), false},
      {"node.hostname.get", json::object(), false},
      {"node.hostname.update", {{"hostname", name}}, true},
      {"network.dns.get", {{"interface", "eth0"}}, false},
      {"network.dns.update", {{"interface", "eth0"}, {"servers", {"1.1.1.1"}}}, true},
      {"network.dns.delete", {{"interface", "eth0"}}, true},
      {"network.ping.do", {{"address", "127.0.0.1"}}, false},
      {"command.exec.execute", {{"command", "true"}}, true},
      {"command.shell.execute", {{"command", "exit 0"}}, true},
  };
  for (const auto& c : cases) {
    auto r = agent::dispatch(c.type, c.data, agent::DispatchContext{{}, c.modify});
    EXPECT_EQ(r.error.find("unsupported"), std::string::npos) << c.type << ": " << r.error;
    EXPECT_FALSE(r.permanent) << c.type << ": " << r.error;
    // ping needs ICMP sockets, which a sandbox may not allow; everything else succeeds here.
    if (std::string(c.type) != "network.ping.do") {
      EXPECT_TRUE(r.ok) << c.type << ": " << r.error;
    }
  }
  EXPECT_NE(tools.calls().find("set-hostname " + name), std::string::npos);
  EXPECT_NE(tools.calls().find("revert eth0"), std::string::npos);
  EXPECT_EQ(agent::dispatch("node.bogus.get", {}, {}).error,
            "unsupported node operation: bogus.get");
  EXPECT_EQ(agent::dispatch("docker.list.get", {}, {}).error, "unsupported job category: docker");
  EXPECT_EQ(agent::dispatch("network.dns.purge", {}, {}).error,
            "unsupported network operation: dns.purge");
}
