// Helpers for the RBAC, job, audit and namespace tests: the real ApiServer in-process on port 0
// against a real nats-server, in-process agents, HTTP calls and token minting.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "api/server.h"
#include "auth/jwt.h"
#include "http/client.h"
#include "process.h"

namespace osapi::api::auth_testing {

inline constexpr const char* kKey = "audit-test-signing-key-0123456789abcdef";

inline config::Config base_config(const osapi::testing::NatsServer& nats,
                                  const std::string& ns = "osapi") {
  config::Config c;
  for (auto* n : {&c.controller.nats, &c.agent.nats}) {
    n->host = "127.0.0.1";
    n->port = nats.port();
    n->namespace_ = ns;
  }
  c.nats.server.namespace_ = ns;
  c.controller.api.port = 0;
  c.controller.api.signing_key = kKey;
  c.controller.audit.spool_dir = osapi::testing::scratch_path("audit-spool");
  // Ephemeral metrics ports, so test processes running side by side never collide.
  c.controller.metrics.host = "127.0.0.1";
  c.controller.metrics.port = 0;
  c.agent.metrics.port = 0;
  return c;
}

struct Reply {
  int status = 0;
  std::string body;
  nlohmann::json doc;  // null when the body is not JSON
};

// Mints a token signed with `key` (the servers' key by default).
inline std::string mint(std::vector<std::string> roles, std::vector<std::string> permissions = {},
                        const std::string& subject = "test-subject",
                        const std::string& key = kKey) {
  return auth::sign(auth::generate_claims(roles, subject, permissions), key);
}

class Api {
 public:
  explicit Api(config::Config cfg) : cfg_(std::move(cfg)) {
    server_ = std::make_unique<ApiServer>(cfg_);
    auto st = server_->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  }
  ~Api() { server_->stop(std::chrono::seconds(5)); }

  const config::Config& cfg() const { return cfg_; }
  ApiServer& server() { return *server_; }

  // `authorization` is the whole header value ("" = no header).
  Reply call(const std::string& method, const std::string& path,
             const std::string& authorization = "", const std::string& body = "",
             const std::string& content_type = "application/json", Headers extra = {}) const {
    return send(method, "http://127.0.0.1:" + std::to_string(server_->port()) + path, authorization,
                body, content_type, std::move(extra));
  }
  Reply get(const std::string& path, const std::string& token) const {
    return call("GET", path, token.empty() ? "" : "Bearer " + token);
  }
  // GET on the controller's metrics server.
  Reply metrics_get(const std::string& path) const {
    return send("GET", "http://127.0.0.1:" + std::to_string(server_->metrics_port()) + path, "", "",
                "", {});
  }

 private:
  static Reply send(const std::string& method, const std::string& url,
                    const std::string& authorization, const std::string& body,
                    const std::string& content_type, Headers extra) {
    http::ClientRequest req;
    req.method = method;
    req.url = url;
    req.headers = std::move(extra);
    if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
    if (!body.empty() && !content_type.empty())
      req.headers.emplace_back("Content-Type", content_type);
    req.body = body;
    req.timeout = std::chrono::seconds(60);
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

  config::Config cfg_;
  std::unique_ptr<ApiServer> server_;
};

// An in-process agent stopped on destruction, with a machine id of its own (derived from its
// hostname) so several can run in one test.
class AgentRunner {
 public:
  AgentRunner(config::Config cfg, const std::string& hostname) {
    cfg.agent.hostname = hostname;
    char id[33];
    const size_t h = std::hash<std::string>{}(hostname)&0xffffffffffffULL;
    std::snprintf(id, sizeof id, "%032zx", h);
    cfg.agent.machine_id_file = ids_.write("machine-id", std::string(id) + "\n");
    agent_ = std::make_unique<agent::Agent>(cfg, hostname);
    auto st = agent_->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  }
  ~AgentRunner() { agent_->stop(std::chrono::seconds(5)); }

 private:
  osapi::testing::TempDir ids_;
  std::unique_ptr<agent::Agent> agent_;
};

// Polls until `done()` or the timeout (asynchronous audit writes).
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace osapi::api::auth_testing
