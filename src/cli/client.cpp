// The `client` group: --url and --trace, and every command group below it.
#include "cli/command_env.h"

namespace osapi::cli {

void add_client_commands(CLI::App& app, CommandEnv& env) {
  CLI::App* client = add_group(&app, "client", "call the controller's REST API");
  env.client = client;
  env.url_opt = client->add_option("--url", env.url, "controller URL (controller.client.url)");
  client->add_flag("--trace", env.g.trace, "trace this command and print its trace_id on stderr");
  add_health_commands(env);
  add_agent_commands(env);
  add_controller_commands(env);
  add_nats_commands(env);
  add_node_commands(env);
  add_job_commands(env);
  add_audit_commands(env);
}

}  // namespace osapi::cli
