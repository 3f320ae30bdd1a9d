#include "cli/server_commands.h"

#include <memory>

#include "agent/agent.h"
#include "api/server.h"
#include "logging/logger.h"
#include "natsserver/supervisor.h"

namespace osapi::cli {

int run_controller_command(Context& ctx) {
  return api::run_api_server(ctx.cfg);
}
int run_nats_server_command(Context& ctx) {
  return natsserver::run_nats_server(ctx.cfg);
}
int run_agent_command(Context& ctx) {
  return agent::run_agent(ctx.cfg);
}

// NATS first (the others connect to it), then the controller, then the agent; stopped in the
// reverse order so the agent finishes its running jobs while the broker is still there.
int run_start_command(Context& ctx) {
  const config::Config& cfg = ctx.cfg;
  std::unique_ptr<api::ApiServer> controller;
  std::unique_ptr<agent::Agent> node_agent;
  natsserver::Hooks hooks;
  hooks.after_ready = [&]() -> Status {
    controller = std::make_unique<api::ApiServer>(cfg);
    if (auto st = controller->start(); !st.ok()) return st.error().wrap("controller");
    logging::info("controller started",
                  {{"port", static_cast<int>(controller->port())},
                   {"metrics_port", static_cast<int>(controller->metrics_port())}});
    const std::string hostname = agent::resolve_hostname(cfg);
    node_agent = std::make_unique<agent::Agent>(cfg, hostname);
    if (auto st = node_agent->start(); !st.ok()) return st.error().wrap("agent");
    logging::info("agent started successfully", {{"hostname", hostname}});
    return Status::Ok();
  };
  hooks.before_stop = [&] {
    if (node_agent) {
      if (!node_agent->stop(std::chrono::seconds(10))) logging::warn("agent shutdown timed out");
      node_agent.reset();
    }
    if (controller) {
      controller->stop(std::chrono::seconds(10));
      controller.reset();
    }
  };
  return natsserver::run_nats_server(cfg, hooks);
}

}  // namespace osapi::cli
