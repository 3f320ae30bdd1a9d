// client node uptime get: uptime of the target hosts.
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

std::string view_node_uptime(const Json& body, const Style& style) {
  return view_results(
      body, "", {"UPTIME"},
      [](const Json& item) { return std::vector<std::string>{str(item, "uptime")}; }, style);
}

void add_node_uptime_commands(CommandEnv& env, CLI::App* node) {
  CLI::App* uptime = add_group(node, "uptime", "uptime");
  env.add_leaf(uptime, "get", "uptime of the target hosts", config::Command::kClientAuthenticated,
               [&env](Context& ctx) {
                 return show_results(ctx, call_ok(ctx, "GET", env.node_path("/uptime"), true),
                                     view_node_uptime);
               });
}

}  // namespace osapi::cli
