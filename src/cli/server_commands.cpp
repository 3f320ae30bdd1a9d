#include "cli/server_commands.h"

#include <signal.h>

#include <memory>

#include "agent/agent.h"
#include "api/server.h"
#include "cli/component_probe.h"
#include "job/component_heartbeat.h"
#include "job/provision.h"
#include "job/subjects.h"
#include "logging/logger.h"
#include "natsserver/supervisor.h"
#include "provider/hostname.h"
#include "provider/process_metrics.h"

namespace osapi::cli {

namespace {

// SIGINT/SIGTERM are blocked in every thread (the role entry points block them first).
int wait_for_stop_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

int run_controller_command(Context& ctx) {
  return api::run_api_server(ctx.cfg);
}
namespace {

std::optional<job::ProcessUsage> process_usage(int pid) {
  auto s = provider::sample_process({}, std::to_string(pid));
  if (!s.ok()) return std::nullopt;
  return job::ProcessUsage{s->cpu_seconds, s->rss_bytes};
}

// What the NATS role runs beside the broker: its probe server (ready once nats-server answers
// and JetStream is provisioned, which is when the supervisor runs after_ready) and its
// registry entry `nats.<host>` describing the nats-server child.
struct NatsRole {
  std::unique_ptr<http::ProbeServer> probe;
  std::shared_ptr<messaging::KeyValue> registry;
  std::unique_ptr<job::ComponentHeartbeat> heartbeat;
};

natsserver::Hooks nats_role_hooks(const config::Config& cfg, NatsRole& role) {
  natsserver::Hooks hooks;
  const std::string ns = cfg.nats.server.namespace_;
  hooks.provision = [&cfg, ns](messaging::Connection& conn) {
    return job::provision(conn, cfg, ns, /*update_existing=*/true);
  };
  hooks.after_ready = [&cfg, &role, ns](const natsserver::Ready& ready) -> Status {
    ComponentProbe p{"nats", [] { return std::optional<std::string>(); }, {}};
    auto started = start_component_probe(cfg.nats.server.metrics, std::move(p));
    if (!started.ok()) return started.error();
    role.probe = std::move(*started);
    const job::Names names = job::Names::from(cfg, ns);
    if (names.registry_bucket.empty()) return Status::Ok();
    auto reg = ready.conn.key_value(names.registry_bucket);
    if (!reg.ok()) return reg.error().wrap("registry bucket " + names.registry_bucket);
    role.registry = *reg;
    job::ComponentSpec spec;
    spec.type = "nats";
    const auto host = provider::kernel_hostname();
    spec.hostname = host.ok() ? *host : "unknown";
    const std::string server =
        "nats://" + cfg.nats.server.host + ":" + std::to_string(cfg.nats.server.port);
    const http::ProbeServer* probe = role.probe.get();
    const std::string metrics_host = cfg.nats.server.metrics.host;
    spec.sub_components = [server, probe, metrics_host] {
      std::map<std::string, job::SubComponent> out;
      out["nats.server"] = {"ok", server};
      out["nats.heartbeat"] = {"ok", ""};
      out["nats.metrics"] = probe ? job::SubComponent{"ok", "http://" + metrics_host + ":" +
                                                                std::to_string(probe->port())}
                                  : job::SubComponent{"disabled", ""};
      return out;
    };
    spec.process = [pid = ready.pid] { return process_usage(pid()); };
    role.heartbeat = std::make_unique<job::ComponentHeartbeat>(role.registry, std::move(spec));
    role.heartbeat->start();
    return Status::Ok();
  };
  hooks.before_stop = [&role] {
    role.heartbeat.reset();
    role.probe.reset();
  };
  return hooks;
}

}  // namespace

int run_nats_server_command(Context& ctx) {
  NatsRole role;
  return natsserver::run_nats_server(ctx.cfg, nats_role_hooks(ctx.cfg, role));
}
namespace {

// The agent's own families: heartbeat age, jobs by outcome, running jobs, job durations.
void agent_metrics(const agent::Agent& a, api::Exposition& out) {
  out.family("osapi_heartbeat_age_seconds", "gauge",
             "Seconds since the last successful registry write (0 before the first).");
  out.sample("osapi_heartbeat_age_seconds", {}, a.heartbeat_age_seconds());
  const agent::JobStats* s = a.job_stats();
  if (s == nullptr) return;
  out.family("osapi_jobs_processed_total", "counter", "Jobs finished, by outcome.");
  out.sample("osapi_jobs_processed_total", {{"status", "completed"}},
             static_cast<double>(s->completed()));
  out.sample("osapi_jobs_processed_total", {{"status", "failed"}},
             static_cast<double>(s->failed()));
  out.family("osapi_jobs_active", "gauge", "Jobs running now.");
  out.sample("osapi_jobs_active", {}, static_cast<double>(s->active()));
  out.family("osapi_job_duration_seconds", "histogram", "How long jobs took.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < agent::JobStats::kBounds.size(); ++i) {
    cumulative += s->bucket(i);
    out.sample("osapi_job_duration_seconds_bucket",
               {{"le", api::format_value(agent::JobStats::kBounds[i])}},
               static_cast<double>(cumulative));
  }
  cumulative += s->bucket(agent::JobStats::kBounds.size());
  out.sample("osapi_job_duration_seconds_bucket", {{"le", "+Inf"}},
             static_cast<double>(cumulative));
  out.sample("osapi_job_duration_seconds_sum", {}, s->sum_seconds());
  out.sample("osapi_job_duration_seconds_count", {}, static_cast<double>(cumulative));
}

}  // namespace

// Ready while it runs: the probe starts after the agent started and stops before it stops.
Result<std::unique_ptr<http::ProbeServer>> agent_probe(const config::Config& cfg,
                                                       const agent::Agent& a) {
  return start_component_probe(cfg.agent.metrics,
                               {"agent", [] { return std::optional<std::string>(); },
                                [&a](api::Exposition& out) { agent_metrics(a, out); }});
}

int run_agent_command(Context& ctx) {
  const config::Config& cfg = ctx.cfg;
  logging::info("starting agent");
  agent::Agent node_agent(cfg);
  std::string labels;
  for (const auto& [k, v] : cfg.agent.labels) labels += (labels.empty() ? "" : ",") + k + ":" + v;
  logging::info(
      "agent configuration",
      {{"hostname", node_agent.hostname()}, {"max_jobs", cfg.agent.max_jobs}, {"labels", labels}});
  if (auto st = node_agent.start(); !st.ok()) {
    logging::error("failed to start agent", {{"error", st.error().message}});
    return 1;
  }
  auto probe = agent_probe(cfg, node_agent);
  if (!probe.ok()) {
    logging::error("failed to start agent", {{"error", probe.error().message}});
    node_agent.stop(std::chrono::seconds(10));
    return 1;
  }
  logging::info("agent started successfully",
                {{"hostname", node_agent.hostname()}, {"machine_id", node_agent.machine_id()}});
  const int sig = wait_for_stop_signal();
  logging::info("agent shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  probe->reset();
  if (node_agent.stop(std::chrono::seconds(10)))
    logging::info("agent stopped gracefully");
  else
    logging::warn("agent shutdown timed out");
  return 0;
}

// NATS first (the others connect to it), then the controller, then the agent; stopped in the
// reverse order so the agent finishes its running jobs while the broker is still there.
int run_start_command(Context& ctx) {
  const config::Config& cfg = ctx.cfg;
  std::unique_ptr<api::ApiServer> controller;
  std::unique_ptr<agent::Agent> node_agent;
  std::unique_ptr<http::ProbeServer> agent_metrics;
  natsserver::Hooks hooks;
  NatsRole nats_role;
  const natsserver::Hooks nats_hooks = nats_role_hooks(cfg, nats_role);
  hooks.provision = nats_hooks.provision;
  hooks.after_ready = [&](const natsserver::Ready& ready) -> Status {
    if (auto st = nats_hooks.after_ready(ready); !st.ok()) return st;
    controller = std::make_unique<api::ApiServer>(cfg);
    if (auto st = controller->start(); !st.ok()) return st.error().wrap("controller");
    logging::info("controller started",
                  {{"port", static_cast<int>(controller->port())},
                   {"metrics_port", static_cast<int>(controller->metrics_port())}});
    node_agent = std::make_unique<agent::Agent>(cfg);
    if (auto st = node_agent->start(); !st.ok()) return st.error().wrap("agent");
    auto probe = agent_probe(cfg, *node_agent);
    if (!probe.ok()) return probe.error();
    agent_metrics = std::move(*probe);
    logging::info("agent started successfully",
                  {{"hostname", node_agent->hostname()}, {"machine_id", node_agent->machine_id()}});
    return Status::Ok();
  };
  hooks.before_stop = [&] {
    agent_metrics.reset();
    if (node_agent) {
      if (!node_agent->stop(std::chrono::seconds(10))) logging::warn("agent shutdown timed out");
      node_agent.reset();
    }
    if (controller) {
      controller->stop(std::chrono::seconds(10));
      controller.reset();
    }
    nats_hooks.before_stop();
  };
  return natsserver::run_nats_server(cfg, hooks);
}

}  // namespace osapi::cli
