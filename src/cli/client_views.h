// The human (table) views of the client commands: each turns a response body into the text
// the command prints without --json. Each is defined in the file of its command group; they are
// pure, so tests feed them bodies directly.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cli/json_fields.h"
#include "cli/output.h"

namespace osapi::cli {

using TimePoint = std::chrono::system_clock::time_point;

// client health (client_health.cpp)
std::string view_health_liveness(const Json& body, const Style& style);
std::string view_health_ready(const Json& body, const Style& style);
std::string view_health_status(const Json& body, const Style& style);
// The registry table of GET /api/health/status, only rows of `type` ("" = all), each followed
// by its sub-components ("<type>.<name>" keys of `components`); "No components found." when
// none. client controller|nats|agent status print it with their type.
std::string view_component_table(const Json& body, const std::string& type, const Style& style);

// client agent (client_agent.cpp)
std::string view_agent_list(const Json& body, const Style& style, TimePoint now);
std::string view_agent_pending(const Json& body, const Style& style, TimePoint now);
std::string view_agent_get(const Json& body, const Style& style, TimePoint now);

// client node … (client_node*.cpp)
// A blank line and "  Job ID: <id>" when the body carries a job_id, else "".
std::string job_id_header(const Json& body, const Style& style);
// The per-host view of a node-scoped body: job_id_header, then render_results() with one row
// per item of `results`; `cells` gives the command's columns of an item that succeeded (items
// that failed or were skipped leave them empty, their error goes to the details).
using ItemCells = std::function<std::vector<std::string>(const Json& item)>;
std::string view_results(const Json& body, const std::string& title,
                         const std::vector<std::string>& columns, const ItemCells& cells,
                         const Style& style);
std::string view_node_status(const Json& body, bool detail, const Style& style);
std::string view_node_disk(const Json& body, const Style& style);
std::string view_node_memory(const Json& body, const Style& style);
std::string view_node_load(const Json& body, const Style& style);
std::string view_node_os(const Json& body, const Style& style);
std::string view_node_uptime(const Json& body, const Style& style);
// HOSTNAME and STATUS only: hostname get|update, network dns update|delete.
std::string view_host_status(const Json& body, const Style& style);
std::string view_dns_get(const Json& body, const Style& style);
std::string view_ping(const Json& body, const Style& style);
std::string view_command(const Json& body, const Style& style);

// --stdout/--stderr of command exec|shell: every output line as "[<hostname>] <line>", remote
// stdout and stderr kept apart; hosts that failed get "[<hostname>] error: <error>" on the
// stderr side. exit_code is the highest remote exit code.
struct RawCommandOutput {
  std::string out;
  std::string err;
  int exit_code = 0;
};
RawCommandOutput view_command_raw(const Json& body, bool show_stdout, bool show_stderr,
                                  const Style& style);

// client job (client_job.cpp)
struct JobListRequest {
  std::string status;  // filter, "" = all
  long long limit = 10;
  long long offset = 0;
};
// `page` is the GET /api/job body (with every item when the list was fetched page by page).
std::string view_job_list(const Json& page, const JobListRequest& request, const Style& style);
// The object `client job list --json` prints: sorted keys displayed_jobs, filter_applied, jobs,
// limit_applied, offset_applied, status_counts, total_jobs.
std::string job_list_json(const Json& page, const JobListRequest& request);
std::string view_job_detail(const Json& body, const Style& style);
std::string view_job_created(const Json& body, const Style& style);

// client audit (client_audit.cpp)
std::string view_audit_list(const Json& body, const Style& style);
std::string view_audit_get(const Json& body, const Style& style);

}  // namespace osapi::cli
