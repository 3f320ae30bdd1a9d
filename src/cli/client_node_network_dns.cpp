// client node network dns get | update | delete: the DNS servers and search domains of one
// interface.
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

std::string view_dns_get(const Json& body, const Style& style) {
  return view_results(
      body, "", {"SERVERS", "SEARCH DOMAINS"},
      [](const Json& item) {
        return std::vector<std::string>{format_list(strings(item, "servers")),
                                        format_list(strings(item, "search_domains"))};
      },
      style);
}

namespace {

struct DnsFlags {
  std::string interface_name;
  std::vector<std::string> servers;
  std::vector<std::string> search_domains;
  bool override_dhcp = false;
};

}  // namespace

void add_node_network_dns_commands(CommandEnv& env, CLI::App* network) {
  CLI::App* dns = add_group(network, "dns", "DNS configuration of an interface");
  const auto kind = config::Command::kClientAuthenticated;
  auto& f = env.hold<DnsFlags>();

  CLI::App* get =
      env.add_leaf(dns, "get", "DNS servers and search domains", kind, [&env, &f](Context& ctx) {
        Reply r = call_ok(ctx, "GET", env.node_path("/network/dns/" + url_encode(f.interface_name)),
                          true);
        return show_results(ctx, r, view_dns_get);
      });
  get->add_option("--interface-name", f.interface_name, "network interface")->required();

  CLI::App* update = env.add_leaf(
      dns, "update", "set the DNS servers and/or search domains", kind, [&env, &f](Context& ctx) {
        if (f.servers.empty() && f.search_domains.empty())
          throw CommandError{
              "at least one of the flags in the group [servers search-domains] is required\n"
              "Run 'osapi client node network dns update --help' for usage."};
        if (!env.confirm_all(ctx, "modify DNS")) return 1;
        Json body{{"interface_name", f.interface_name}};
        if (!f.servers.empty()) body["servers"] = f.servers;
        if (!f.search_domains.empty()) body["search_domains"] = f.search_domains;
        if (f.override_dhcp) body["override_dhcp"] = true;
        Reply r = call_ok(ctx, "PUT", env.node_path("/network/dns"), true, body.dump());
        return show_results(ctx, r, view_host_status);
      });
  update->add_option("--interface-name", f.interface_name, "network interface")->required();
  update->add_option("--servers", f.servers, "DNS servers (comma-separated)")->delimiter(',');
  update->add_option("--search-domains", f.search_domains, "search domains (comma-separated)")
      ->delimiter(',');
  update->add_flag("--override-dhcp", f.override_dhcp,
                   "use these servers instead of the ones DHCP provides");

  CLI::App* del =
      env.add_leaf(dns, "delete", "remove the DNS configuration osapi wrote for an interface", kind,
                   [&env, &f](Context& ctx) {
                     if (!env.confirm_all(ctx, "delete the DNS configuration")) return 1;
                     Reply r = call_ok(ctx, "DELETE", env.node_path("/network/dns"), true,
                                       Json{{"interface_name", f.interface_name}}.dump());
                     return show_results(ctx, r, view_host_status);
                   });
  del->add_option("--interface-name", f.interface_name, "network interface")->required();
}

}  // namespace osapi::cli
