// Network and command API tests: the real ApiServer in-process (port 0) against a real
// nats-server, real in-process agents, a fake `resolvectl` first on PATH that records its
// arguments, and a stub agent that answers jobs with a fixed response (for hosts that fail).
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "api/server.h"
#include "auth/jwt.h"
#include "common/strings.h"
#include "common/time.h"
#include "http/client.h"
#include "job/model.h"
#include "job/subjects.h"
#include "process.h"

namespace osapi::api::netcmd_testing {

using Hosts = std::vector<std::string>;

inline constexpr const char* kKey = "netcmd-test-signing-key-0123456789abcdef";

inline const char kResolvectlStatus[] =
    "Link 2 (eth0)\n"
    "    Current Scopes: DNS\n"
    "       DNS Servers: 192.168.1.1\n"
    "                    8.8.8.8\n"
    "        DNS Domain: example.com\n"
    "                    local.lan\n";

// Tools first on PATH for the whole process (in-process agents look tools up per call):
// `resolvectl` (status of eth0 above; any other interface → "No such device") and `mytool`.
// Every resolvectl call appends its arguments to calls(). PATH is restored on destruction.
class FakeTools {
 public:
  FakeTools() : old_path_(std::getenv("PATH")) {
    dir_.write("status.txt", kResolvectlStatus);
    dir_.write(
        "resolvectl",
        "#!/bin/sh\n"
        "echo \"$*\" >> '" +
            dir_.file("calls") +
            "'\n"
            "if [ \"$1\" = status ]; then\n"
            "  if [ \"$2\" != eth0 ]; then\n"
            "    echo \"Failed to resolve interface \\\"$2\\\": No such device\" >&2; exit 1\n"
            "  fi\n"
            "  cat '" +
            dir_.file("status.txt") +
            "'\n"
            "fi\n");
    dir_.write("mytool", "#!/bin/sh\necho mytool \"$@\"\n");
    ::chmod(dir_.file("resolvectl").c_str(), 0755);
    ::chmod(dir_.file("mytool").c_str(), 0755);
    setenv("PATH", (dir_.path() + ":" + old_path_).c_str(), 1);
  }
  ~FakeTools() { setenv("PATH", old_path_.c_str(), 1); }
  std::string calls() const { return osapi::testing::read_file(dir_.file("calls")); }

 private:
  osapi::testing::TempDir dir_;
  std::string old_path_;
};

struct Reply {
  int status = 0;
  std::string body;
  nlohmann::json doc;  // null when not JSON
};

// Registers `hostname` in the agent registry and answers every job routed to _all or to its
// hostname with `response` (status/data/error/changed of a JobResponse).
class StubAgent {
 public:
  StubAgent(std::shared_ptr<messaging::KeyValue> jobs,
            std::shared_ptr<messaging::KeyValue> registry, std::string hostname,
            job::JobResponse response)
      : jobs_(std::move(jobs)), hostname_(std::move(hostname)), response_(std::move(response)) {
    job::AgentInfo info;
    info.hostname = hostname_;
    info.registered_at = rfc3339_nano(Clock::now());
    EXPECT_TRUE(registry->put(job::registry_key(hostname_), info.to_json().dump()).ok());
    auto w = jobs_->watch("jobs.>");
    EXPECT_TRUE(w.ok());
    watcher_ = std::move(*w);
    thread_ = std::thread([this] { loop(); });
  }
  ~StubAgent() {
    stop_ = true;
    thread_.join();
  }

 private:
  void loop() {
    while (!stop_) {
      auto e = watcher_->next(std::chrono::milliseconds(100));
      if (!e.ok() || !*e || (*e)->deleted) continue;
      auto rec = job::JobRecord::parse((*e)->value);
      if (!rec.ok()) continue;
      const std::string& s = rec->subject;
      const std::string host_suffix = ".host." + sanitize_subject_token(hostname_);
      const bool mine =
          s.size() > 5 &&
          (s.compare(s.size() - 5, 5, "._all") == 0 ||
           (s.size() > host_suffix.size() &&
            s.compare(s.size() - host_suffix.size(), host_suffix.size(), host_suffix) == 0));
      if (!mine) continue;
      job::JobResponse r = response_;
      r.job_id = rec->id;
      r.hostname = hostname_;
      r.unix_nano = unix_nano(Clock::now());
      (void)jobs_->put(r.key(), r.to_json().dump());
    }
  }

  std::shared_ptr<messaging::KeyValue> jobs_;
  std::string hostname_;
  job::JobResponse response_;
  std::unique_ptr<messaging::Watcher> watcher_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class Fixture {
 public:
  // Starts the API and one real agent per hostname.
  explicit Fixture(const std::vector<std::string>& agent_hosts = {"agent1"}) {
    for (auto* n : {&cfg_.controller.nats, &cfg_.agent.nats}) {
      n->host = "127.0.0.1";
      n->port = nats_.port();
      n->namespace_ = "osapi";
    }
    cfg_.nats.server.namespace_ = "osapi";
    cfg_.controller.api.port = 0;
    cfg_.controller.api.signing_key = kKey;
    server_ = std::make_unique<ApiServer>(cfg_);
    auto st = server_->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    for (const auto& h : agent_hosts) {
      config::Config c = cfg_;
      c.agent.hostname = h;
      agents_.push_back(std::make_unique<agent::Agent>(c, h));
      auto ast = agents_.back()->start();
      EXPECT_TRUE(ast.ok()) << (ast.ok() ? "" : ast.error().message);
    }
  }
  ~Fixture() {
    stubs_.clear();
    for (auto& a : agents_) a->stop(std::chrono::seconds(5));
    server_->stop(std::chrono::seconds(5));
  }

  // A stub agent `hostname` whose every job fails with `error`, or completes with `data`.
  void add_stub(const std::string& hostname, const std::string& error,
                const nlohmann::ordered_json& data = nullptr) {
    messaging::ConnectOptions o;
    o.url = nats_.url();
    o.name = "stub-agent";
    auto conn = messaging::Connection::connect(o);
    ASSERT_TRUE(conn.ok());
    conns_.push_back(*conn);
    const auto names = job::Names::from(cfg_, "osapi");
    job::JobResponse r;
    r.status = error.empty() ? "completed" : "failed";
    r.error = error;
    r.data = data;
    stubs_.push_back(std::make_unique<StubAgent>(*(*conn)->key_value(names.jobs_bucket),
                                                 *(*conn)->key_value(names.registry_bucket),
                                                 hostname, r));
  }

  static std::string token(std::vector<std::string> roles = {"admin"},
                           std::vector<std::string> permissions = {}) {
    return auth::sign(auth::generate_claims(roles, "netcmd@test", permissions), kKey);
  }

  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token_value = token(),
             const std::string& content_type = "application/json") {
    http::ClientRequest req;
    req.method = method;
    req.url = "http://127.0.0.1:" + std::to_string(server_->port()) + path;
    if (!token_value.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_value);
    if (!body.empty() && !content_type.empty())
      req.headers.emplace_back("Content-Type", content_type);
    req.body = body;
    req.timeout = std::chrono::seconds(90);
    auto r = http::request(req);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    Reply out;
    if (!r.ok()) return out;
    out.status = r->status;
    out.body = r->body;
    out.doc = nlohmann::json::parse(out.body, nullptr, false);
    if (out.doc.is_discarded()) out.doc = nullptr;
    return out;
  }

  const config::Config& cfg() const { return cfg_; }

 private:
  osapi::testing::NatsServer nats_;
  config::Config cfg_;
  std::unique_ptr<ApiServer> server_;
  std::vector<std::unique_ptr<agent::Agent>> agents_;
  std::vector<std::shared_ptr<messaging::Connection>> conns_;
  std::vector<std::unique_ptr<StubAgent>> stubs_;
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace osapi::api::netcmd_testing
