#include "cli/server_commands.h"

#include "agent/agent.h"
#include "api/server.h"
#include "natsserver/supervisor.h"

namespace osapi::cli {

int run_api_server_command(Context& ctx) {
  return api::run_api_server(ctx.cfg);
}
int run_nats_server_command(Context& ctx) {
  return natsserver::run_nats_server(ctx.cfg);
}
int run_agent_command(Context& ctx) {
  return agent::run_agent(ctx.cfg);
}

}  // namespace osapi::cli
