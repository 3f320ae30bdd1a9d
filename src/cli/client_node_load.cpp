// client node load get: load averages of the target hosts.
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

std::string view_node_load(const Json& body, const Style& style) {
  return view_results(
      body, "", {"LOAD (1m)", "LOAD (5m)", "LOAD (15m)"},
      [](const Json& item) {
        const Json l = object(item, "load_average");
        auto f = [&l](const char* k) {
          const auto v = number(l, k);
          return v ? format_fixed(*v, 2) : "";
        };
        return std::vector<std::string>{f("1min"), f("5min"), f("15min")};
      },
      style);
}

void add_node_load_commands(CommandEnv& env, CLI::App* node) {
  CLI::App* load = add_group(node, "load", "load averages");
  env.add_leaf(load, "get", "load averages of the target hosts",
               config::Command::kClientAuthenticated, [&env](Context& ctx) {
                 return show_results(ctx, call_ok(ctx, "GET", env.node_path("/load"), true),
                                     view_node_load);
               });
}

}  // namespace osapi::cli
