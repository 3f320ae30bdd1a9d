// Long-running roles: controller, nats server, agent, and all three in one process (start).
#pragma once

#include "cli/context.h"

namespace osapi::cli {

int run_controller_command(Context& ctx);
int run_nats_server_command(Context& ctx);
int run_agent_command(Context& ctx);
int run_start_command(Context& ctx);

}  // namespace osapi::cli
