// client node (client health lives in commands_misc.cpp)
#include "cli/command_env.h"

namespace osapi::cli {

void add_node_commands(CommandEnv& env) {
  auto* node = env.client->add_subcommand("node", "node queries");
  node->fallthrough();
  require_leaf(node);
  node->add_subcommand("list", "live agents")->callback([&env] {
    env.client_command("client node list", config::Command::kClientAuthenticated,
                       [](Context& c) { return client_node_list(c); });
  });
  node->add_subcommand("hostname", "hostname of the target agents")->callback([&env] {
    env.client_command("client node hostname", config::Command::kClientAuthenticated,
                       [&env](Context& c) { return client_node_hostname(c, env.target); });
  });
  node->add_subcommand("status", "status of the target agents")->callback([&env] {
    env.client_command("client node status", config::Command::kClientAuthenticated,
                       [&env](Context& c) { return client_node_status(c, env.target); });
  });
}

}  // namespace osapi::cli
