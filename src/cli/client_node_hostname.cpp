// client node hostname get | update. A bare `client node hostname` runs get, so the command
// of the tracing guide keeps working.
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

void add_node_hostname_commands(CommandEnv& env, CLI::App* node) {
  CLI::App* hostname = node->add_subcommand("hostname", "hostname of the target hosts");
  const auto kind = config::Command::kClientAuthenticated;

  std::function<int(Context&)> get_body = [&env](Context& ctx) {
    return show_results(ctx, call_ok(ctx, "GET", env.node_path("/hostname"), true),
                        view_host_status);
  };
  CLI::App* get =
      env.add_leaf(hostname, "get", "hostname of the target hosts (the default)", kind, get_body);
  // Child callbacks run before their group's, so a chosen verb has already set the action.
  hostname->callback([&env, hostname, get, get_body, kind] {
    if (hostname->get_subcommands().empty()) env.client_command(command_path(get), kind, get_body);
  });

  auto& name = env.hold<std::string>();
  CLI::App* update = env.add_leaf(hostname, "update", "set the hostname of the target hosts", kind,
                                  [&env, &name](Context& ctx) {
                                    if (!env.confirm_all(ctx, "change the hostname")) return 1;
                                    Reply r = call_ok(ctx, "PUT", env.node_path("/hostname"), true,
                                                      Json{{"hostname", name}}.dump());
                                    return show_results(ctx, r, view_host_status);
                                  });
  update->add_option("--name", name, "the new hostname")->required();
}

}  // namespace osapi::cli
