// Agent integration tests: a real nats-server, provisioned buckets, and agents that each read
// their own machine id from a temp file (agent.machine_id_file), so several can share a host.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "job/client.h"
#include "job/registry.h"
#include "job/provision.h"
#include "process.h"

namespace osapi::agent_test {

using json = nlohmann::ordered_json;

inline config::Config config_for(const osapi::testing::NatsServer& nats, const std::string& ns) {
  config::Config c;
  for (auto* n : {&c.controller.nats, &c.agent.nats}) {
    n->host = "127.0.0.1";
    n->port = nats.port();
    n->namespace_ = ns;
  }
  c.nats.server.namespace_ = ns;
  return c;
}

inline std::shared_ptr<messaging::Connection> connect(const osapi::testing::NatsServer& nats) {
  messaging::ConnectOptions o;
  o.url = nats.url();
  o.name = "agent-test";
  auto c = messaging::Connection::connect(o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : nullptr;
}

// Polls `cond` every 20 ms until it holds or `timeout` passes.
template <typename Cond>
bool eventually(Cond cond, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

// A directory put first on PATH for the lifetime of the object (or PATH = only it, with
// `only`), holding fake system tools. Create before the agents start, destroy after they stop.
class FakeTools {
 public:
  explicit FakeTools(bool only = false) : old_path_(std::getenv("PATH")) {
    setenv("PATH", (only ? dir_.path() : dir_.path() + ":" + old_path_).c_str(), 1);
  }
  ~FakeTools() { setenv("PATH", old_path_.c_str(), 1); }
  FakeTools(const FakeTools&) = delete;
  FakeTools& operator=(const FakeTools&) = delete;

  // A shell script that appends its arguments to calls() and exits 0.
  void add(const std::string& name, const std::string& extra_script = "") {
    dir_.write(name, "#!/bin/sh\necho \"$*\" >> '" + dir_.file("calls") + "'\n" + extra_script +
                         "exit 0\n");
    ::chmod(dir_.file(name).c_str(), 0755);
  }
  std::string calls() const { return osapi::testing::read_file(dir_.file("calls")); }

 private:
  osapi::testing::TempDir dir_;
  std::string old_path_;
};

struct Fixture {
  osapi::testing::NatsServer nats;
  std::string ns;
  config::Config cfg;
  std::shared_ptr<messaging::Connection> conn;
  job::Names names;
  std::shared_ptr<messaging::KeyValue> jobs_kv, registry_kv;
  std::unique_ptr<job::JobClient> jobs;
  std::unique_ptr<job::Registry> registry;
  osapi::testing::TempDir ids;
  std::vector<std::unique_ptr<agent::Agent>> agents;
  int next_id = 0;

  explicit Fixture(const std::string& namespace_ = "osapi")
      : ns(namespace_), cfg(config_for(nats, ns)), names(job::Names::from(cfg, ns)) {
    conn = connect(nats);
    auto st = job::provision(*conn, cfg, ns, true);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    jobs_kv = *conn->key_value(names.jobs_bucket);
    registry_kv = *conn->key_value(names.registry_bucket);
    jobs = std::make_unique<job::JobClient>(conn, jobs_kv, names);
    registry = std::make_unique<job::Registry>(registry_kv, std::chrono::milliseconds(0));
  }
  ~Fixture() {
    for (auto& a : agents) a->stop(std::chrono::seconds(5));
  }

  // A fresh machine id file: "<32 hex digits>\n".
  std::string machine_id_file(const std::string& id) {
    return ids.write("machine-id-" + std::to_string(next_id++), id + "\n");
  }
  static std::string make_id(int n) {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%032x", 0xa9e47 + n);
    return buf;
  }

  // Config for an agent `host` with its own machine id (make_id of its index).
  config::Config agent_config(const std::string& host,
                              std::map<std::string, std::string> labels = {}) {
    config::Config c = cfg;
    c.agent.hostname = host;
    c.agent.labels = std::move(labels);
    c.agent.machine_id_file = machine_id_file(make_id(static_cast<int>(agents.size())));
    return c;
  }

  agent::Agent& start(const config::Config& c, agent::AgentOptions options = {}) {
    agents.push_back(std::make_unique<agent::Agent>(c, std::move(options)));
    auto st = agents.back()->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    return *agents.back();
  }
  agent::Agent& add_agent(const std::string& host, std::map<std::string, std::string> labels = {},
                          agent::AgentOptions options = {}) {
    return start(agent_config(host, std::move(labels)), std::move(options));
  }

  // Runs `operation` for `target_text`; a host target is addressed by the machine id of the
  // agent with that hostname (what the controller resolves before publishing).
  Result<job::Outcome> run(const json& operation, const std::string& target_text,
                           job::OpKind kind = job::OpKind::kQuery,
                           std::chrono::seconds timeout = std::chrono::seconds(20)) {
    auto target = job::parse_target(target_text);
    EXPECT_TRUE(target.ok());
    if (target->kind == job::TargetKind::kHost)
      for (const auto& a : agents)
        if (a->hostname() == target->raw) target->machine_id = a->machine_id();
    job::WaitOptions w;
    w.timeout = timeout;
    if (target->broadcast()) w.expected_hosts = registry->expected_hosts(*target);
    return jobs->run(operation, *target, kind, w);
  }

  // The single response of a job run on `agent` (direct subject).
  job::JobResponse run_on(agent::Agent& agent, const json& operation, job::OpKind kind) {
    auto out = run(operation, agent.hostname(), kind);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    if (!out.ok() || out->responses.empty()) return {};
    return out->responses.front();
  }

  // Keys under responses.<id>.
  size_t response_count(const std::string& job_id) {
    auto keys = jobs_kv->keys(job::responses_prefix(job_id) + ">");
    return keys.ok() ? keys->size() : 0;
  }

  // Consumer state of one of the agent's durables, e.g. durable("query_direct", agent).
  Result<messaging::ConsumerInfo> consumer(const std::string& kind_and_pattern,
                                           const agent::Agent& agent) {
    return conn->consumer_info(
        names.stream, cfg.agent.consumer.name + "_" + kind_and_pattern + "_" + agent.machine_id());
  }
};

}  // namespace osapi::agent_test
