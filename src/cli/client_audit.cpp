// client audit list | get | export: the controller's audit log of API requests.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"
#include "cli/private_file.h"
#include "common/ids.h"
#include "common/strings.h"
#include "common/time.h"

namespace osapi::cli {

namespace {

// "YYYY-MM-DD HH:MM:SS" in UTC; the raw text when it is not RFC 3339.
std::string table_time(const std::string& rfc3339_text) {
  Clock::time_point t;
  if (!parse_rfc3339(rfc3339_text, t)) return rfc3339_text;
  const std::time_t secs = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string duration_text(const Json& entry) {
  const auto ms = integer(entry, "duration_ms");
  return ms ? std::to_string(*ms) + "ms" : "N/A";
}

}  // namespace

std::string view_audit_list(const Json& body, const Style& style) {
  const Json items = array(body, "items");
  std::string out = "\n" + kv_line({{"Total", integer_text(body, "total_items")}}, style);
  if (items.empty()) return out + "  No audit entries found.\n";
  Table t{{"ID", "TIMESTAMP", "USER", "METHOD", "PATH", "STATUS", "DURATION", "TRACE ID"}, {}};
  for (const auto& e : items)
    t.rows.push_back({str(e, "id"), table_time(str(e, "timestamp")), str(e, "user"),
                      str(e, "method"), str(e, "path"), integer_text(e, "response_code"),
                      duration_text(e), str(e, "trace_id")});
  return out + section("Audit Entries", t, style);
}

std::string view_audit_get(const Json& body, const Style& style) {
  const Json e = object(body, "entry");
  std::string out = "\n";
  out += kv_line({{"ID", str(e, "id")}}, style);
  out += kv_line({{"Timestamp", str(e, "timestamp")}}, style);
  out += kv_line({{"User", str(e, "user")}}, style);
  out += kv_line({{"Roles", join(strings(e, "roles"), ", ")}}, style);
  out += kv_line({{"Method", str(e, "method")}, {"Path", str(e, "path")}}, style);
  out += kv_line({{"Status", integer_text(e, "response_code")}, {"Duration", duration_text(e)}},
                 style);
  out += kv_line({{"Source IP", str(e, "source_ip")}}, style);
  if (const std::string op = str(e, "operation_id"); !op.empty())
    out += kv_line({{"Operation", op}}, style);
  if (const std::string trace = str(e, "trace_id"); !trace.empty())
    out += kv_line({{"Trace ID", trace}}, style);
  return out;
}

namespace {

// JSON lines, one compact entry per line in the API's order (newest first). --json has no
// effect: the file is the machine-readable output.
int audit_export(Context& ctx, const std::string& output, const std::string& type) {
  if (type != "file") throw CommandError{"unsupported export type: " + type};
  Reply r = call_ok(ctx, "GET", "/api/audit/export", true);
  const Json items = array(r.doc, "items");
  std::string lines;
  for (const auto& e : items)
    lines += e.dump(-1, ' ', false, Json::error_handler_t::replace) + '\n';
  // Audit entries name users and what they did: owner-only, like any file the CLI writes.
  if (auto st = write_private_file(output, lines); !st.ok()) throw CommandError{st.error().message};
  const auto total = integer(r.doc, "total_items");
  std::string out =
      "\n" + kv_line({{"Exported", std::to_string(items.size())},
                      {"Total", total ? std::to_string(*total) : std::to_string(items.size())}},
                     ctx.style);
  out += kv_line({{"Output", output}}, ctx.style);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

void add_audit_commands(CommandEnv& env) {
  CLI::App* audit = add_group(env.client, "audit", "the audit log");
  const auto kind = config::Command::kClientAuthenticated;

  auto& limit = env.hold<long long>(20);
  auto& offset = env.hold<long long>(0);
  CLI::App* list = env.add_leaf(
      audit, "list", "audit entries, newest first", kind, [&limit, &offset](Context& ctx) {
        // Both are always sent: --limit 0 is the server's 400, not a silent default.
        show(ctx,
             call_ok(
                 ctx, "GET",
                 "/api/audit?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset),
                 true),
             view_audit_list);
        return 0;
      });
  list->add_option("--limit", limit, "entries per page (1-100)")->capture_default_str();
  list->add_option("--offset", offset, "entries to skip")->capture_default_str();

  auto& audit_id = env.hold<std::string>();
  CLI::App* get = env.add_leaf(audit, "get", "one audit entry", kind, [&audit_id](Context& ctx) {
    if (!is_uuid(audit_id))
      throw CommandError{"invalid audit ID: " + audit_id + " is not a valid UUID"};
    show(ctx, call_ok(ctx, "GET", "/api/audit/" + audit_id, true), view_audit_get);
    return 0;
  });
  get->add_option("--audit-id", audit_id, "audit entry id")->required();

  auto& output = env.hold<std::string>();
  auto& type = env.hold<std::string>("file");
  CLI::App* exp =
      env.add_leaf(audit, "export", "write every entry as JSON lines", kind,
                   [&output, &type](Context& ctx) { return audit_export(ctx, output, type); });
  exp->add_option("--output", output, "file to write")->required();
  exp->add_option("--type", type, "export type (file)")->capture_default_str();
}

}  // namespace osapi::cli
