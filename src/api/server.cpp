#include "api/server.h"

#include <signal.h>
#include <unistd.h>

#include "api/audit_middleware.h"
#include "api/audit_stream_store.h"
#include "api/handlers.h"
#include "http/pipeline.h"
#include "job/connect_options.h"
#include "job/provision.h"
#include "logging/logger.h"
#include "provider/process_metrics.h"

namespace osapi::api {

namespace {
std::string local_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) return "unknown";
  return buf;
}

std::optional<job::ProcessUsage> own_process_usage() {
  auto s = provider::sample_process();
  if (!s.ok()) return std::nullopt;
  return job::ProcessUsage{s->cpu_seconds, s->rss_bytes};
}

}  // namespace

ApiServer::ApiServer(config::Config cfg) {
  ctx_.cfg = std::move(cfg);
}

ApiServer::~ApiServer() {
  stop(std::chrono::seconds(1));
}

Status ApiServer::start() {
  const auto& n = ctx_.cfg.controller.nats;
  auto conn = messaging::Connection::connect(job::client_connect_options(n));
  if (!conn.ok()) return conn.error();
  ctx_.conn = *conn;
  job::ProvisionParts parts;
  parts.consumers = false;  // the agents own the shared consumers
  if (auto st = job::provision(*ctx_.conn, ctx_.cfg, n.namespace_, false, parts); !st.ok())
    return st.error().wrap("failed to ensure JetStream infrastructure");

  const auto names = job::Names::from(ctx_.cfg, n.namespace_);
  auto jobs = ctx_.conn->key_value(names.jobs_bucket);
  if (!jobs.ok()) return jobs.error();
  ctx_.jobs_kv = *jobs;
  if (names.registry_bucket.empty())
    return Error(ErrorCode::kInvalidArgument, "nats.registry.bucket must be set");
  auto reg = ctx_.conn->key_value(names.registry_bucket);
  if (!reg.ok()) return reg.error();
  ctx_.jobs = std::make_unique<job::JobClient>(ctx_.conn, ctx_.jobs_kv, names);
  // Built now (one replay of the bucket's keys) so no job list waits for it.
  if (auto index = ctx_.jobs->index(); !index.ok())
    logging::warn("job index unavailable; job lists retry it", {{"error", index.error().message}});
  if (const auto& f = ctx_.cfg.nats.facts; !f.bucket.empty()) {
    // Created here when missing: a bucket only bound at start would stay unavailable for the
    // controller's lifetime, and agents that start later would have nowhere to write facts.
    messaging::KvSpec spec;
    spec.bucket = config::ns_name(n.namespace_, f.bucket);
    spec.ttl = f.ttl;
    spec.max_bytes = f.max_bytes > 0 ? f.max_bytes : -1;
    spec.storage = f.storage == "memory" ? "memory" : "file";
    spec.replicas = f.replicas;
    auto facts = ctx_.conn->ensure_key_value(spec, false);
    // Facts are optional detail: without the bucket, agents list without them.
    if (facts.ok())
      ctx_.facts_kv = *facts;
    else
      logging::warn("agent facts bucket unavailable", {{"error", facts.error().message}});
  }
  if (!names.state_bucket.empty()) {
    // Provisioned above; without it agent timelines are empty.
    auto state = ctx_.conn->key_value(names.state_bucket);
    if (state.ok())
      ctx_.state_kv = *state;
    else
      logging::warn("agent state bucket unavailable", {{"error", state.error().message}});
  }
  ctx_.registry = std::make_unique<job::Registry>(*reg);
  if (!names.audit_stream.empty()) {  // an empty nats.audit.stream disables auditing
    auto store = StreamAuditStore::open(ctx_.conn, names.audit_stream, names.audit_subject);
    if (!store.ok()) return store.error();
    AuditLogOptions ao;
    ao.spool_dir = ctx_.cfg.controller.audit.spool_dir;
    ctx_.audit = std::make_shared<AuditLog>(*store, ao);
  }
  ctx_.started = Clock::now();

  register_routes(router_, ctx_);
  metrics_ = make_api_metrics(ctx_);
  http::PipelineOptions po;
  po.cors_allow_origins = ctx_.cfg.controller.api.cors_allow_origins;
  po.observer = [m = metrics_.get()](const http::Request& req, const http::Response& resp,
                                     std::chrono::nanoseconds d) { m->observe(req, resp, d); };
  http::ServerOptions so;
  so.port = static_cast<uint16_t>(ctx_.cfg.controller.api.port);
  auto middlewares = http::standard_middlewares(router_, po);
  // Outermost, so every request (404/405 and the metrics scrape included) is in flight.
  middlewares.insert(middlewares.begin(), metrics_->active_requests_middleware());
  // After the standard stack, so 413 and routing answers stay first and are never audited.
  if (ctx_.audit) middlewares.push_back(audit_middleware(ctx_.audit));
  server_ = std::make_unique<http::Server>(so, http::make_app(router_, std::move(middlewares)));
  if (auto st = server_->start(); !st.ok()) {
    server_.reset();
    return st;
  }
  if (ctx_.cfg.controller.metrics.enabled) {
    if (auto st = start_metrics_server(); !st.ok()) {
      stop(std::chrono::seconds(1));
      return st.error().wrap("failed to start the controller metrics server");
    }
  }
  ctx_.sub_components = [this] { return sub_components(); };
  job::ComponentSpec spec;
  spec.type = "controller";
  spec.hostname = local_hostname();
  spec.sub_components = ctx_.sub_components;
  spec.process = [] { return own_process_usage(); };
  heartbeat_ = std::make_unique<job::ComponentHeartbeat>(*reg, std::move(spec));
  heartbeat_->start();
  // Jobs stored but never published (a controller killed between the two writes, a broker
  // lost in between) are dispatched again; a first pass runs now.
  sweeper_ = std::make_unique<job::DispatchSweeper>(
      ctx_.conn, ctx_.jobs_kv, [jobs = ctx_.jobs.get()] { return jobs->index(); });
  return Status::Ok();
}

std::map<std::string, job::SubComponent> ApiServer::sub_components() const {
  const auto& c = ctx_.cfg.controller;
  auto on = [](bool enabled) { return std::string(enabled ? "ok" : "disabled"); };
  std::map<std::string, job::SubComponent> out;
  out["controller.api"] = {"ok", "http://0.0.0.0:" + std::to_string(port())};
  out["controller.heartbeat"] = {"ok", ""};
  out["controller.metrics"] = {
      on(metrics_server_ != nullptr),
      metrics_server_ ? "http://" + c.metrics.host + ":" + std::to_string(metrics_port()) : ""};
  // Not built yet: reported as what they are, whatever the config asks for.
  out["controller.notifier"] = {"disabled", ""};
  out["controller.pki"] = {"disabled", ""};
  out["controller.ui"] = {"disabled", ""};
  out["controller.tracing"] = {on(ctx_.cfg.telemetry.tracing.enabled), ""};
  return out;
}

Status ApiServer::start_metrics_server() {
  http::ProbeHandlers h;
  h.metrics = [m = metrics_.get()] { return m->render(); };
  h.not_ready = [this] { return readiness_failure(ctx_); };
  const auto& mc = ctx_.cfg.controller.metrics;
  metrics_server_ = std::make_unique<http::ProbeServer>(mc.host, mc.port, std::move(h));
  return metrics_server_->start();
}

uint16_t ApiServer::metrics_port() const {
  return metrics_server_ ? metrics_server_->port() : 0;
}

uint16_t ApiServer::port() const {
  return server_ ? server_->bound_port() : 0;
}

void ApiServer::stop(std::chrono::milliseconds deadline) {
  sweeper_.reset();
  if (heartbeat_) {
    heartbeat_->stop();
    heartbeat_.reset();
  }
  // The API first: its health status handler reads the metrics server's address.
  if (server_) {
    server_->stop(deadline);
    server_.reset();
  }
  if (metrics_server_) {
    metrics_server_->stop(deadline);
    metrics_server_.reset();
  }
  if (ctx_.audit) ctx_.audit->shutdown(deadline);  // pending entries need the connection
  if (ctx_.conn) {
    ctx_.conn->close();
    ctx_.conn.reset();
  }
}

int run_api_server(const config::Config& cfg) {
  logging::info("starting controller", {{"port", cfg.controller.api.port}});
  ApiServer server(cfg);
  if (auto st = server.start(); !st.ok()) {
    logging::error("failed to start controller", {{"error", st.error().message}});
    return 1;
  }
  logging::info("controller started", {{"port", static_cast<int>(server.port())},
                                       {"metrics_port", static_cast<int>(server.metrics_port())}});
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  logging::info("controller shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  server.stop(std::chrono::seconds(10));
  logging::info("controller stopped");
  return 0;
}

}  // namespace osapi::api
