// Long-running roles: api server, nats server, node agent.
#pragma once

#include "cli/context.h"

namespace osapi::cli {

int run_api_server_command(Context& ctx);
int run_nats_server_command(Context& ctx);
int run_agent_command(Context& ctx);

}  // namespace osapi::cli
