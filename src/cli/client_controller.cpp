// client controller status: health of the controllers in the component registry.
#include "cli/client_health.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

void add_controller_commands(CommandEnv& env) {
  CLI::App* group = add_group(env.client, "controller", "the controllers");
  env.add_leaf(group, "status", "health of the controllers", config::Command::kClientAuthenticated,
               [](Context& ctx) {
                 return show_health_status(ctx, [](const Json& b, const Style& s) {
                   return view_component_table(b, "controller", s);
                 });
               });
}

}  // namespace osapi::cli
