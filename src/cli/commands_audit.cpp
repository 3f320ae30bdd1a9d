// client audit list | get | export (spec/cli.md §16, spec/audit-metrics-health.md §1.4).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>

#include "cli/api_call.h"
#include "cli/command_env.h"
#include "common/ids.h"
#include "common/strings.h"
#include "common/time.h"

namespace osapi::cli {

using json = nlohmann::ordered_json;

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

std::string num(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return "N/A";
  return j[key].dump();
}

std::string duration_text(const json& entry) {
  const std::string ms = num(entry, "duration_ms");
  return ms == "N/A" ? ms : ms + "ms";
}

json items_of(const Reply& r) {
  if (!r.doc.is_object() || !r.doc.contains("items") || !r.doc["items"].is_array())
    return json::array();
  return r.doc["items"];
}

int audit_list(Context& ctx, long long limit, long long offset) {
  Reply r =
      call(ctx, "GET",
           "/audit?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset), true);
  if (r.status >= 400) api_error(ctx, r);
  if (ctx.json) {
    print_json_body(r);
    return 0;
  }
  const json items = items_of(r);
  std::string out = kv_line({{"Total", num(r.doc, "total_items")}}, ctx.style);
  if (items.empty()) {
    out += "  No audit entries found.\n";
  } else {
    Table t{{"ID", "TIMESTAMP", "USER", "METHOD", "PATH", "STATUS", "DURATION"}, {}};
    for (const auto& e : items)
      t.rows.push_back({str(e, "id"), table_time(str(e, "timestamp")), str(e, "user"),
                        str(e, "method"), str(e, "path"), num(e, "response_code"),
                        duration_text(e)});
    out += section("Audit Entries", t, ctx.style);
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

int audit_get(Context& ctx, const std::string& id) {
  if (!is_uuid(id)) throw CommandError{"invalid audit ID: " + id + " is not a valid UUID"};
  Reply r = call(ctx, "GET", "/audit/" + id, true);
  if (r.status >= 400) api_error(ctx, r);
  if (ctx.json) {
    print_json_body(r);
    return 0;
  }
  const json e = r.doc.is_object() ? r.doc.value("entry", json::object()) : json::object();
  std::vector<std::string> roles;
  if (e.contains("roles") && e["roles"].is_array())
    for (const auto& role : e["roles"])
      if (role.is_string()) roles.push_back(role.get<std::string>());
  std::string out;
  out += kv_line({{"ID", str(e, "id")}}, ctx.style);
  out += kv_line({{"Timestamp", str(e, "timestamp")}}, ctx.style);
  out += kv_line({{"User", str(e, "user")}}, ctx.style);
  out += kv_line({{"Roles", join(roles, ", ")}}, ctx.style);
  out += kv_line({{"Method", str(e, "method")}, {"Path", str(e, "path")}}, ctx.style);
  out += kv_line({{"Status", num(e, "response_code")}, {"Duration", duration_text(e)}}, ctx.style);
  out += kv_line({{"Source IP", str(e, "source_ip")}}, ctx.style);
  if (!str(e, "operation_id").empty())
    out += kv_line({{"Operation", str(e, "operation_id")}}, ctx.style);
  std::fputs(out.c_str(), stdout);
  return 0;
}

// JSONL, one compact entry per line in the API's order (newest first). --json has no effect.
int audit_export(Context& ctx, const std::string& output, const std::string& type) {
  if (type != "file") throw CommandError{"unsupported export type: " + type};
  Reply r = call(ctx, "GET", "/audit/export", true);
  if (r.status >= 400) api_error(ctx, r);
  const json items = items_of(r);
  std::ofstream file(output, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!file) throw CommandError{"failed to create " + output + ": " + std::strerror(errno)};
  for (const auto& e : items)
    file << e.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  file.close();
  if (!file) throw CommandError{"failed to write " + output};
  const std::string total = r.doc.is_object() && r.doc.contains("total_items")
                                ? r.doc["total_items"].dump()
                                : std::to_string(items.size());
  std::string out =
      kv_line({{"Exported", std::to_string(items.size())}, {"Total", total}}, ctx.style);
  out += kv_line({{"Output", output}}, ctx.style);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

void add_audit_commands(CommandEnv& env) {
  auto* audit = env.client->add_subcommand("audit", "audit log");
  audit->fallthrough();
  require_leaf(audit);

  static long long limit = 20;
  static long long offset = 0;
  auto* list = audit->add_subcommand("list", "audit entries, newest first");
  list->add_option("--limit", limit, "entries per page (1-100)")->default_val(20);
  list->add_option("--offset", offset, "entries to skip")->default_val(0);
  list->callback([&env] {
    env.client_command("client audit list", config::Command::kClientAuthenticated,
                       [](Context& c) { return audit_list(c, limit, offset); });
  });

  static std::string audit_id;
  auto* get = audit->add_subcommand("get", "one audit entry");
  get->add_option("--audit-id", audit_id, "audit entry id")->required();
  get->callback([&env] {
    env.client_command("client audit get", config::Command::kClientAuthenticated,
                       [](Context& c) { return audit_get(c, audit_id); });
  });

  static std::string output;
  static std::string type = "file";
  auto* exp = audit->add_subcommand("export", "write every entry as JSON lines");
  exp->add_option("--output", output, "file to write")->required();
  exp->add_option("--type", type, "export type (file)")->default_val("file");
  exp->callback([&env] {
    env.client_command("client audit export", config::Command::kClientAuthenticated,
                       [](Context& c) { return audit_export(c, output, type); });
  });
}

}  // namespace osapi::cli
