// Node, network, command and agent API tests: the real ApiServer in-process (port 0) against a
// real nats-server, real in-process agents, a fake `resolvectl` first on PATH that records its
// arguments, and fake agents (fake_agent.h) for hosts that fail, skip or stay silent.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
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
#include "fake_agent.h"
#include "http/client.h"
#include "job/model.h"
#include "job/subjects.h"
#include "process.h"

namespace osapi::api::node_testing {

using osapi::api::testing::FakeAgent;
using osapi::api::testing::FakeAgentOptions;
using osapi::api::testing::FakeReply;
using osapi::api::testing::reply_failed;
using osapi::api::testing::reply_ok;
using osapi::api::testing::reply_skipped;

using Hosts = std::vector<std::string>;

inline constexpr const char* kKey = "node-test-signing-key-0123456789abcdef";

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

class Fixture {
 public:
  // Starts the API and one real agent per hostname; `customize` adjusts the config first.
  explicit Fixture(const std::vector<std::string>& agent_hosts = {"agent1"},
                   const std::function<void(config::Config&)>& customize = nullptr) {
    for (auto* n : {&cfg_.controller.nats, &cfg_.agent.nats}) {
      n->host = "127.0.0.1";
      n->port = nats_.port();
      n->namespace_ = "osapi";
    }
    cfg_.nats.server.namespace_ = "osapi";
    cfg_.controller.api.port = 0;
    cfg_.controller.api.signing_key = kKey;
    cfg_.controller.audit.spool_dir = osapi::testing::scratch_path("audit-spool");
    cfg_.controller.metrics.port = 0;
    cfg_.agent.metrics.port = 0;
    if (customize) customize(cfg_);
    server_ = std::make_unique<ApiServer>(cfg_);
    auto st = server_->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    for (const auto& h : agent_hosts) {
      config::Config c = cfg_;
      c.agent.hostname = h;
      // Each agent is its own machine: its own machine id.
      char id[33];
      std::snprintf(id, sizeof id, "%032zx", agents_.size() + 0xa9e000);
      c.agent.machine_id_file = ids_.write("machine-id-" + h, std::string(id) + "\n");
      agents_.push_back(std::make_unique<agent::Agent>(c, h));
      auto ast = agents_.back()->start();
      EXPECT_TRUE(ast.ok()) << (ast.ok() ? "" : ast.error().message);
    }
  }
  ~Fixture() {
    fakes_.clear();
    for (auto& a : agents_) a->stop(std::chrono::seconds(5));
    server_->stop(std::chrono::seconds(5));
  }

  // A fake agent. The API caches the registry for target checks and looks again at most once
  // a second, so add fakes before the first request that names them.
  FakeAgent& add_fake(FakeAgentOptions options) {
    fakes_.push_back(std::make_unique<FakeAgent>(nats_.url(), cfg_, "osapi", std::move(options)));
    return *fakes_.back();
  }
  // A fake agent `hostname` whose every job fails with `error`, or completes with `data`.
  FakeAgent& add_stub(const std::string& hostname, const std::string& error,
                      const nlohmann::ordered_json& data = nullptr) {
    FakeAgentOptions o;
    o.hostname = hostname;
    o.reply = [error, data](const std::string&, const nlohmann::ordered_json&) {
      return error.empty() ? reply_ok(data) : reply_failed(error);
    };
    return add_fake(std::move(o));
  }

  static std::string token(std::vector<std::string> roles = {"admin"},
                           std::vector<std::string> permissions = {}) {
    return auth::sign(auth::generate_claims(roles, "node@test", permissions), kKey);
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
  Reply get(const std::string& path) { return call("GET", path); }

  const config::Config& cfg() const { return cfg_; }
  osapi::testing::NatsServer& nats() { return nats_; }

 private:
  osapi::testing::NatsServer nats_;
  osapi::testing::TempDir ids_;  // the agents' machine-id files
  config::Config cfg_;
  std::unique_ptr<ApiServer> server_;
  std::vector<std::unique_ptr<agent::Agent>> agents_;
  std::vector<std::unique_ptr<FakeAgent>> fakes_;
};

// The result item of `host`, or nullptr (mutable, so a missing field reads as null).
inline nlohmann::json* item_for(Reply& r, const std::string& host) {
  if (!r.doc.is_object() || !r.doc.contains("results") || !r.doc["results"].is_array())
    return nullptr;
  for (auto& i : r.doc["results"])
    if (i.value("hostname", "") == host) return &i;
  return nullptr;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace osapi::api::node_testing
