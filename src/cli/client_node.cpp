// client node: the -T/--target group flag, `node status`, and the groups below it (each in
// its own client_node_<group>.cpp).
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

std::string job_id_header(const Json& body, const Style& style) {
  const std::string id = str(body, "job_id");
  return id.empty() ? "" : "\n" + kv_line({{"Job ID", id}}, style);
}

std::string view_results(const Json& body, const std::string& title,
                         const std::vector<std::string>& columns, const ItemCells& cells,
                         const Style& style) {
  std::vector<ResultRow> rows;
  for (const auto& item : results_of(body)) {
    ResultRow row = result_row(item, {});
    const Outcome o = outcome_of(row);
    if (o != Outcome::kFailed && o != Outcome::kSkipped) row.cells = cells(item);
    rows.push_back(std::move(row));
  }
  return job_id_header(body, style) + render_results(title, columns, rows, style);
}

std::string view_host_status(const Json& body, const Style& style) {
  return view_results(
      body, "", {}, [](const Json&) { return std::vector<std::string>{}; }, style);
}

namespace {

std::string load_1m(const Json& item) {
  const auto one = number(object(item, "load_average"), "1min");
  return one ? format_fixed(*one, 2) : "";
}

std::string memory_used_of_total(const Json& item) {
  const Json m = object(item, "memory");
  const auto used = integer(m, "used"), total = integer(m, "total");
  if (!used || !total) return "";
  return format_bytes(*used) + " / " + format_bytes(*total);
}

}  // namespace

std::string view_node_status(const Json& body, bool detail, const Style& style) {
  std::string out = view_results(
      body, "", {"UPTIME", "LOAD", "MEM"},
      [](const Json& s) {
        return std::vector<std::string>{str(s, "uptime"), load_1m(s), memory_used_of_total(s)};
      },
      style);
  const Json results = results_of(body);
  if (!detail || results.size() != 1) return out;
  const Json& s = results[0];
  if (outcome_of(result_row(s, {})) == Outcome::kFailed) return out;

  std::string more;
  const Json load = object(s, "load_average");
  if (!load.empty()) {
    auto f = [&load](const char* k) {
      const auto v = number(load, k);
      return v ? format_fixed(*v, 2) : "N/A";
    };
    more += kv_line({{"Load", f("1min") + ", " + f("5min") + ", " + f("15min") + " (1m, 5m, 15m)"}},
                    style);
  }
  const Json m = object(s, "memory");
  if (!m.empty()) {
    auto b = [&m](const char* k) {
      const auto v = integer(m, k);
      return v ? format_bytes(*v) : "N/A";
    };
    more += kv_line(
        {{"Memory", b("used") + " used / " + b("total") + " total / " + b("free") + " free"}},
        style);
  }
  if (!more.empty()) out += "\n" + more;
  Table disks{{"DISK NAME", "TOTAL", "USED", "FREE"}, {}};
  for (const auto& d : array(s, "disks")) {
    auto b = [&d](const char* k) {
      const auto v = integer(d, k);
      return v ? format_bytes(*v) : "N/A";
    };
    disks.rows.push_back({str(d, "name"), b("total"), b("used"), b("free")});
  }
  if (!disks.rows.empty()) out += section("Disks", disks, style);
  return out;
}

void add_node_commands(CommandEnv& env) {
  CLI::App* node = add_group(env.client, "node", "operations on the agents' hosts");
  env.target_opt =
      node->add_option("-T,--target", env.target,
                       "hostname, machine id, _any, _all or key:value label (default _all)");

  env.add_leaf(node, "status", "status of the target hosts (uptime, load, memory, disks)",
               config::Command::kClientAuthenticated, [&env](Context& ctx) {
                 Reply r = call_ok(ctx, "GET", env.node_path(""), true);
                 const bool detail = env.target != "_all";
                 return show_results(ctx, r, [detail](const Json& b, const Style& s) {
                   return view_node_status(b, detail, s);
                 });
               });

  add_node_disk_commands(env, node);
  add_node_memory_commands(env, node);
  add_node_load_commands(env, node);
  add_node_os_commands(env, node);
  add_node_uptime_commands(env, node);
  add_node_hostname_commands(env, node);
  add_node_command_commands(env, node);
  add_node_network_commands(env, node);
}

}  // namespace osapi::cli
