// client health | node | job get
#include "cli/command_env.h"

namespace osapi::cli {

void add_health_commands(CommandEnv& env) {
  auto* health = env.client->add_subcommand("health", "liveness (ready: readiness)");
  health->fallthrough();
  health->callback([&env, health] {
    if (!health->get_subcommands().empty()) return;
    env.client_command("client health", config::Command::kClient,
                       [](Context& c) { return client_health(c, ""); });
  });
  health->add_subcommand("ready", "readiness")->callback([&env] {
    env.client_command("client health ready", config::Command::kClient,
                       [](Context& c) { return client_health(c, "ready"); });
  });
}

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

void add_job_commands(CommandEnv& env) {
  auto* job = env.client->add_subcommand("job", "jobs");
  job->fallthrough();
  require_leaf(job);
  static std::string job_id;
  auto* get = job->add_subcommand("get", "one job");
  get->add_option("--job-id", job_id, "job id")->required();
  get->callback([&env] {
    env.client_command("client job get", config::Command::kClientAuthenticated,
                       [](Context& c) { return client_job_get(c, job_id); });
  });
}

}  // namespace osapi::cli
