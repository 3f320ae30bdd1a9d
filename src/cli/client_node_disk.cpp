// client node disk get: usage of each mounted disk of the target hosts.
#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

// One row per disk (a host with several disks fills several rows); a host that failed or was
// skipped gets one row with empty cells.
std::string view_node_disk(const Json& body, const Style& style) {
  std::vector<ResultRow> rows;
  for (const auto& item : results_of(body)) {
    const ResultRow host = result_row(item, {});
    const Outcome o = outcome_of(host);
    const Json disks = array(item, "disks");
    if (o == Outcome::kFailed || o == Outcome::kSkipped || disks.empty()) {
      rows.push_back(host);
      continue;
    }
    for (const auto& d : disks) {
      ResultRow row = host;
      const auto total = integer(d, "total"), used = integer(d, "used");
      row.cells = {
          str(d, "name"), total ? format_bytes(*total) : "", used ? format_bytes(*used) : "",
          total && used ? format_percent(static_cast<double>(*used), static_cast<double>(*total))
                        : ""};
      rows.push_back(std::move(row));
    }
  }
  return job_id_header(body, style) +
         render_results("", {"MOUNT", "TOTAL", "USED", "USAGE"}, rows, style);
}

void add_node_disk_commands(CommandEnv& env, CLI::App* node) {
  CLI::App* disk = add_group(node, "disk", "disk usage");
  env.add_leaf(disk, "get", "disk usage of the target hosts", config::Command::kClientAuthenticated,
               [&env](Context& ctx) {
                 return show_results(ctx, call_ok(ctx, "GET", env.node_path("/disk"), true),
                                     view_node_disk);
               });
}

}  // namespace osapi::cli
