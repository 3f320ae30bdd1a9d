#include "http/probe_server.h"

#include <nlohmann/json.hpp>

namespace osapi::http {

using json = nlohmann::ordered_json;

ProbeServer::ProbeServer(std::string host, int port, ProbeHandlers handlers)
    : host_(std::move(host)), port_(port), handlers_(std::move(handlers)) {
  router_.add("GET", "/metrics",
              [this](Request&) {
                return Response::text(200, handlers_.metrics ? handlers_.metrics() : std::string(),
                                      kPrometheusContentType);
              },
              {"getMetrics", ""});
  router_.add("GET", "/health",
              [](Request&) {
                return Response::json(200, json{{"status", "ok"}});
              },
              {"getHealth", ""});
  router_.add("GET", "/health/ready",
              [this](Request&) {
                std::optional<std::string> why = "readiness check not configured";
                if (handlers_.not_ready) why = handlers_.not_ready();
                if (!why) return Response::json(200, json{{"status", "ready"}});
                return Response::json(503, json{{"status", "not_ready"}, {"error", *why}});
              },
              {"getHealthReady", ""});
}

ProbeServer::~ProbeServer() {
  stop(std::chrono::seconds(1));
}

Status ProbeServer::start() {
  ServerOptions o;
  o.address = host_;
  o.port = static_cast<uint16_t>(port_);
  server_ = std::make_unique<Server>(o, make_app(router_, {}));
  if (auto st = server_->start(); !st.ok()) {
    server_.reset();
    return st.error().wrap("metrics server on " + host_ + ":" + std::to_string(port_));
  }
  return Status::Ok();
}

uint16_t ProbeServer::port() const {
  return server_ ? server_->bound_port() : 0;
}

void ProbeServer::stop(std::chrono::milliseconds deadline) {
  if (server_) {
    server_->stop(deadline);
    server_.reset();
  }
}

}  // namespace osapi::http
