// client node os get: distribution and version of the target hosts.
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

std::string view_node_os(const Json& body, const Style& style) {
  return view_results(
      body, "", {"DISTRIBUTION", "VERSION"},
      [](const Json& item) {
        const Json os = object(item, "os_info");
        return std::vector<std::string>{str(os, "distribution"), str(os, "version")};
      },
      style);
}

void add_node_os_commands(CommandEnv& env, CLI::App* node) {
  CLI::App* os = add_group(node, "os", "operating system");
  env.add_leaf(os, "get", "distribution and version of the target hosts",
               config::Command::kClientAuthenticated, [&env](Context& ctx) {
                 return show_results(ctx, call_ok(ctx, "GET", env.node_path("/os"), true),
                                     view_node_os);
               });
}

}  // namespace osapi::cli
