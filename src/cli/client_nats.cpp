// client nats status: health of the NATS servers in the component registry.
#include "cli/client_health.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

void add_nats_commands(CommandEnv& env) {
  CLI::App* group = add_group(env.client, "nats", "the NATS servers");
  env.add_leaf(group, "status", "health of the NATS servers", config::Command::kClientAuthenticated,
               [](Context& ctx) {
                 return show_health_status(ctx, [](const Json& b, const Style& s) {
                   return view_component_table(b, "nats", s);
                 });
               });
}

}  // namespace osapi::cli
