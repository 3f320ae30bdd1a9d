// The real ApiServer in-process on an ephemeral port (its metrics server on another) against a
// real nats-server, plus a tiny HTTP helper and token minting (health and metrics tests).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "api/server.h"
#include "auth/jwt.h"
#include "http/client.h"
#include "process.h"

namespace osapi::api::testing {

inline constexpr const char* kSigningKey = "0123456789abcdef0123456789abcdef";

struct ApiFixture {
  osapi::testing::NatsServer nats;
  config::Config cfg;
  std::unique_ptr<ApiServer> server;

  // `customize` adjusts the config before the server starts.
  explicit ApiFixture(const std::function<void(config::Config&)>& customize = nullptr) {
    cfg.controller.nats.host = "127.0.0.1";
    cfg.controller.nats.port = nats.port();
    cfg.controller.nats.namespace_ = "osapi";
    cfg.nats.server.namespace_ = "osapi";
    cfg.controller.api.port = 0;
    cfg.controller.api.signing_key = kSigningKey;
    cfg.controller.audit.spool_dir = osapi::testing::scratch_path("audit-spool");
    cfg.controller.metrics.host = "127.0.0.1";
    cfg.controller.metrics.port = 0;
    if (customize) customize(cfg);
    server = std::make_unique<ApiServer>(cfg);
    auto st = server->start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  }
  ~ApiFixture() { server->stop(std::chrono::seconds(2)); }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + path;
  }
  // The same path on the controller's metrics server.
  std::string metrics_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server->metrics_port()) + path;
  }

  http::ClientResponse call(const std::string& method, const std::string& path,
                            const std::string& token = "", Headers headers = {},
                            const std::string& body = "") {
    return send(method, url(path), token, std::move(headers), body);
  }
  http::ClientResponse get(const std::string& path, const std::string& token = "") {
    return call("GET", path, token);
  }
  // GET on the metrics server (no auth there).
  http::ClientResponse metrics_get(const std::string& path) {
    return send("GET", metrics_url(path), "", {}, "");
  }

  static std::string token(std::vector<std::string> roles,
                           std::vector<std::string> permissions = {}) {
    return auth::sign(auth::generate_claims(roles, "test@example.com", permissions), kSigningKey);
  }
  static std::string admin() { return token({"admin"}); }

 private:
  static http::ClientResponse send(const std::string& method, const std::string& url,
                                   const std::string& token, Headers headers,
                                   const std::string& body) {
    http::ClientRequest req;
    req.method = method;
    req.url = url;
    req.headers = std::move(headers);
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    req.body = body;
    req.timeout = std::chrono::seconds(30);
    auto r = http::request(req);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : http::ClientResponse{};
  }
};

}  // namespace osapi::api::testing
