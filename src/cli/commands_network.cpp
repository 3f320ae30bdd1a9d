// client network dns get|update, network ping, command exec|shell (spec/cli.md §13, §14).
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/api_call.h"
#include "cli/command_env.h"
#include "common/strings.h"
#include "logging/logger.h"

namespace osapi::cli {

using json = nlohmann::ordered_json;

namespace {

struct NetworkFlags {
  std::string interface_name;
  std::vector<std::string> servers;
  std::vector<std::string> search_domains;
  std::string address;
  std::string command;
  std::vector<std::string> args;
  std::string cwd;
  int timeout = 30;
};

NetworkFlags& flags() {
  static NetworkFlags f;
  return f;
}

std::string target_query(const ClientFlags& t) {
  return "?target_hostname=" + url_encode(t.target);
}

// `-T _all` exactly (label targets are not prompted): only y/Y proceeds (spec/cli.md §7).
bool confirmed(const ClientFlags& t, const std::string& action) {
  if (t.target != "_all") return true;
  std::printf("This will %s on ALL hosts. Continue? [y/N] ", action.c_str());
  std::fflush(stdout);
  std::string answer;
  if (std::cin >> answer && (answer == "y" || answer == "Y")) return true;
  std::fprintf(stderr, "Aborted.\n");
  return false;
}

json results_of(const Reply& r) {
  return r.doc.is_object() && r.doc.contains("results") && r.doc["results"].is_array()
             ? r.doc["results"]
             : json::array();
}

std::string list_text(const json& item, const char* key) {
  std::vector<std::string> parts;
  if (item.is_object() && item.contains(key) && item[key].is_array())
    for (const auto& v : item[key])
      if (v.is_string()) parts.push_back(v.get<std::string>());
  return parts.empty() ? "None" : join(parts, ", ");
}

std::string int_text(const json& item, const char* key) {
  if (!item.is_object() || !item.contains(key) || !item[key].is_number()) return "N/A";
  return std::to_string(item[key].get<long long>());
}

std::string float_text(const json& item, const char* key) {
  if (!item.is_object() || !item.contains(key) || !item[key].is_number()) return "N/A";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f", item[key].get<double>());
  return buf;
}

std::optional<bool> changed_of(const json& item) {
  if (item.is_object() && item.contains("changed") && item["changed"].is_boolean())
    return item["changed"].get<bool>();
  return std::nullopt;
}

// Prints "Job ID" and the table, then fails when some host failed (spec/cli.md §4).
int print_results(Context& ctx, const Reply& r, const std::string& title, const Table& table) {
  const json results = results_of(r);
  if (ctx.json) {
    print_json_body(r);
    return finish_broadcast(results);
  }
  std::string out = kv_line({{"Job ID", str(r.doc, "job_id")}}, ctx.style);
  out += title.empty() ? "\n" + render_table(table, ctx.style) : section(title, table, ctx.style);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  return finish_broadcast(results);
}

int dns_get(Context& ctx, const ClientFlags& t) {
  const auto& f = flags();
  Reply r =
      call(ctx, "GET", "/network/dns/" + url_encode(f.interface_name) + target_query(t), true);
  if (r.status >= 400) api_error(ctx, r);
  std::vector<BroadcastRow> rows;
  for (const auto& item : results_of(r))
    rows.push_back({str(item, "hostname"),
                    str(item, "error"),
                    std::nullopt,
                    {list_text(item, "servers"), list_text(item, "search_domains")}});
  return print_results(ctx, r, "", broadcast_table({"SERVERS", "SEARCH DOMAINS"}, rows));
}

// HOSTNAME, STATUS, CHANGED, ERROR: every mutation shows all four (spec/cli.md §5).
int print_mutation(Context& ctx, const Reply& r) {
  const json results = results_of(r);
  if (!ctx.json && results.empty()) {
    logging::info("no results returned");
    return 0;
  }
  Table t{{"HOSTNAME", "STATUS", "CHANGED", "ERROR"}, {}};
  for (const auto& item : results) {
    const auto changed = changed_of(item);
    std::string status = str(item, "status");
    if (status.empty()) status = item.contains("error") ? "failed" : "ok";
    t.rows.push_back({str(item, "hostname"), status, changed ? (*changed ? "true" : "false") : "",
                      str(item, "error")});
  }
  return print_results(ctx, r, "", t);
}

int dns_update(Context& ctx, const ClientFlags& t) {
  const auto& f = flags();
  if (f.servers.empty() && f.search_domains.empty())
    throw CommandError{
        "at least one of the flags in the group [servers search-domains] is required\n"
        "Run 'osapi client network dns update --help' for usage."};
  if (!confirmed(t, "modify DNS")) return 1;
  json body{{"interface_name", f.interface_name}};
  if (!f.servers.empty()) body["servers"] = f.servers;
  if (!f.search_domains.empty()) body["search_domains"] = f.search_domains;
  Reply r = call(ctx, "PUT", "/network/dns" + target_query(t), true, body.dump());
  if (r.status >= 400) api_error(ctx, r);
  return print_mutation(ctx, r);
}

int ping(Context& ctx, const ClientFlags& t) {
  Reply r = call(ctx, "POST", "/network/ping" + target_query(t), true,
                 json{{"address", flags().address}}.dump());
  if (r.status >= 400) api_error(ctx, r);
  std::vector<BroadcastRow> rows;
  for (const auto& item : results_of(r))
    rows.push_back({str(item, "hostname"),
                    str(item, "error"),
                    std::nullopt,
                    {str(item, "avg_rtt"), str(item, "max_rtt"), str(item, "min_rtt"),
                     float_text(item, "packet_loss"), int_text(item, "packets_received"),
                     int_text(item, "packets_sent")}});
  return print_results(ctx, r, "Ping Response",
                       broadcast_table({"AVG RTT", "MAX RTT", "MIN RTT", "PACKET LOSS",
                                        "PACKETS RECEIVED", "PACKETS SENT"},
                                       rows));
}

int command(Context& ctx, const ClientFlags& t, bool shell) {
  const auto& f = flags();
  if (!confirmed(t, shell ? "execute shell command" : "execute command")) return 1;
  json body{{"command", f.command}};
  if (!shell && !f.args.empty()) body["args"] = f.args;
  if (!f.cwd.empty()) body["cwd"] = f.cwd;
  if (f.timeout > 0) body["timeout"] = f.timeout;
  Reply r =
      call(ctx, "POST", std::string(shell ? "/command/shell" : "/command/exec") + target_query(t),
           true, body.dump());
  if (r.status >= 400) api_error(ctx, r);
  std::vector<BroadcastRow> rows;
  for (const auto& item : results_of(r)) {
    const std::string duration =
        item.contains("duration_ms") ? int_text(item, "duration_ms") + "ms" : "";
    rows.push_back({str(item, "hostname"),
                    str(item, "error"),
                    changed_of(item),
                    {str(item, "stdout"), str(item, "stderr"),
                     item.contains("error") ? "" : int_text(item, "exit_code"), duration}});
  }
  return print_results(ctx, r, "",
                       broadcast_table({"STDOUT", "STDERR", "EXIT CODE", "DURATION"}, rows));
}

}  // namespace

void add_network_commands(CommandEnv& env) {
  auto& f = flags();
  auto* network = env.client->add_subcommand("network", "network queries and changes");
  network->fallthrough();
  require_leaf(network);
  auto* dns = network->add_subcommand("dns", "DNS configuration of an interface");
  dns->fallthrough();
  require_leaf(dns);

  auto* get = dns->add_subcommand("get", "DNS servers and search domains");
  get->add_option("--interface-name", f.interface_name, "network interface")->required();
  get->callback([&env] {
    env.client_command("client network dns get", config::Command::kClientAuthenticated,
                       [&env](Context& c) { return dns_get(c, env.target); });
  });

  auto* update = dns->add_subcommand("update", "set DNS servers and/or search domains");
  update->add_option("--interface-name", f.interface_name, "network interface")->required();
  update->add_option("--servers", f.servers, "DNS servers (comma-separated)")->delimiter(',');
  update->add_option("--search-domains", f.search_domains, "search domains (comma-separated)")
      ->delimiter(',');
  update->callback([&env] {
    env.client_command("client network dns update", config::Command::kClientAuthenticated,
                       [&env](Context& c) { return dns_update(c, env.target); });
  });

  auto* ping_cmd = network->add_subcommand("ping", "ping an address from the target agents");
  ping_cmd->add_option("-a,--address", f.address, "IPv4 or IPv6 address")->required();
  ping_cmd->callback([&env] {
    env.client_command("client network ping", config::Command::kClientAuthenticated,
                       [&env](Context& c) { return ping(c, env.target); });
  });
}

void add_command_commands(CommandEnv& env) {
  auto& f = flags();
  auto* cmd = env.client->add_subcommand("command", "run commands on the target agents");
  cmd->fallthrough();
  require_leaf(cmd);

  auto* exec = cmd->add_subcommand("exec", "run a program without a shell");
  exec->add_option("--command", f.command, "program to run")->required();
  exec->add_option("--args", f.args, "arguments (comma-separated)")->delimiter(',');
  exec->add_option("--cwd", f.cwd, "working directory");
  exec->add_option("--timeout", f.timeout, "timeout in seconds (1-300)")->capture_default_str();
  exec->callback([&env] {
    env.client_command("client command exec", config::Command::kClientAuthenticated,
                       [&env](Context& c) { return command(c, env.target, false); });
  });

  auto* shell = cmd->add_subcommand("shell", "run a command line with /bin/sh -c");
  shell->add_option("--command", f.command, "command line")->required();
  shell->add_option("--cwd", f.cwd, "working directory");
  shell->add_option("--timeout", f.timeout, "timeout in seconds (1-300)")->capture_default_str();
  shell->callback([&env] {
    env.client_command("client command shell", config::Command::kClientAuthenticated,
                       [&env](Context& c) { return command(c, env.target, true); });
  });
}

}  // namespace osapi::cli
