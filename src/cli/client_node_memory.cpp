// client node memory get: memory of the target hosts.
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

std::string view_node_memory(const Json& body, const Style& style) {
  return view_results(
      body, "", {"TOTAL", "USED", "FREE", "USAGE"},
      [](const Json& item) {
        const Json m = object(item, "memory");
        const auto total = integer(m, "total"), used = integer(m, "used"),
                   free = integer(m, "free");
        return std::vector<std::string>{
            total ? format_bytes(*total) : "", used ? format_bytes(*used) : "",
            free ? format_bytes(*free) : "",
            total && used ? format_percent(static_cast<double>(*used), static_cast<double>(*total))
                          : ""};
      },
      style);
}

void add_node_memory_commands(CommandEnv& env, CLI::App* node) {
  CLI::App* memory = add_group(node, "memory", "memory usage");
  env.add_leaf(memory, "get", "memory of the target hosts", config::Command::kClientAuthenticated,
               [&env](Context& ctx) {
                 return show_results(ctx, call_ok(ctx, "GET", env.node_path("/memory"), true),
                                     view_node_memory);
               });
}

}  // namespace osapi::cli
