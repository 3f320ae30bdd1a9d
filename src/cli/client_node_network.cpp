// client node network: ping here, dns in client_node_network_dns.cpp.
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

std::string view_ping(const Json& body, const Style& style) {
  return view_results(
      body, "Ping Response", {"AVG", "MIN", "MAX", "LOSS"},
      [](const Json& item) {
        const auto loss = number(item, "packet_loss");
        return std::vector<std::string>{str(item, "avg_rtt"), str(item, "min_rtt"),
                                        str(item, "max_rtt"),
                                        loss ? format_fixed(*loss, 0) + "%" : ""};
      },
      style);
}

void add_node_network_commands(CommandEnv& env, CLI::App* node) {
  CLI::App* network = add_group(node, "network", "network queries and changes");
  add_node_network_dns_commands(env, network);

  auto& address = env.hold<std::string>();
  CLI::App* ping =
      env.add_leaf(network, "ping", "ping an address from the target hosts",
                   config::Command::kClientAuthenticated, [&env, &address](Context& ctx) {
                     Reply r = call_ok(ctx, "POST", env.node_path("/network/ping"), true,
                                       Json{{"address", address}}.dump());
                     return show_results(ctx, r, view_ping);
                   });
  ping->add_option("-a,--address", address, "IPv4 or IPv6 address")->required();
}

}  // namespace osapi::cli
