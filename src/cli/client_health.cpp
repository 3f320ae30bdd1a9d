// client health liveness | ready | status (`client health` itself only prints its help).
#include "cli/client_health.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "cli/client_views.h"
#include "cli/command_env.h"
#include "common/strings.h"

namespace osapi::cli {

std::string view_health_liveness(const Json& body, const Style& style) {
  return "\n" + kv_line({{"Status", str(body, "status")}}, style);
}

std::string view_health_ready(const Json& body, const Style& style) {
  std::string out = "\n" + kv_line({{"Status", str(body, "status")}}, style);
  if (const std::string e = str(body, "error"); !e.empty()) out += kv_line({{"Error", e}}, style);
  return out;
}

std::string view_component_table(const Json& body, const std::string& type, const Style& style) {
  const Json components = object(body, "components");
  Table t{{"TYPE", "HOSTNAME", "STATUS", "CONDITIONS", "AGE", "CPU", "MEM"}, {}};
  for (const auto& e : array(body, "registry")) {
    const std::string row_type = str(e, "type");
    if (!type.empty() && row_type != type) continue;
    const std::vector<std::string> conditions = strings(e, "conditions");
    const auto cpu = number(e, "cpu_percent");
    const auto mem = integer(e, "mem_bytes");
    t.rows.push_back({row_type, str(e, "hostname"), str(e, "status"),
                      conditions.empty() ? "-" : join(conditions, ", "), str(e, "age"),
                      cpu ? format_fixed(*cpu, 1) + "%" : "", mem ? format_bytes(*mem) : ""});
    // Sub-components are the "<type>.<name>" keys of `components` (sorted: an object's keys).
    std::vector<std::pair<std::string, std::string>> subs;
    const std::string prefix = row_type + ".";
    for (auto it = components.begin(); it != components.end(); ++it)
      if (!row_type.empty() && it.key().rfind(prefix, 0) == 0)
        subs.emplace_back(it.key().substr(prefix.size()), str(it.value(), "status"));
    std::sort(subs.begin(), subs.end());
    for (size_t i = 0; i < subs.size(); ++i)
      t.rows.push_back(
          {"", (i + 1 == subs.size() ? "└─ " : "├─ ") + subs[i].first, subs[i].second});
  }
  if (t.rows.empty()) return "\n  No components found.\n";
  return section("", t, style);
}

std::string view_health_status(const Json& body, const Style& style) {
  std::string out;
  std::set<std::string> types;
  for (const auto& e : array(body, "registry")) types.insert(str(e, "type"));
  if (!types.empty()) out += view_component_table(body, "", style);

  out += "\n" + kv_line({{"Status", str(body, "status")},
                         {"Version", str(body, "version")},
                         {"Uptime", str(body, "uptime")}},
                        style);
  // Components that no registry row shows (all of them when the registry could not be read,
  // which is when their errors matter most).
  const Json components = object(body, "components");
  std::vector<std::string> names;
  for (auto it = components.begin(); it != components.end(); ++it) {
    const std::string& name = it.key();
    const auto dot = name.find('.');
    if (dot != std::string::npos && types.count(name.substr(0, dot))) continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string value = str(components.at(name), "status");
    if (const std::string e = str(components.at(name), "error"); !e.empty()) value += " " + e;
    out += kv_line({{name, value}}, style);
  }

  if (body.contains("jobs")) {
    const Json j = object(body, "jobs");
    out += kv_line(
        {{"Jobs", integer_text(j, "total") + " total, " + integer_text(j, "completed") +
                      " completed, " + integer_text(j, "unprocessed") + " unprocessed, " +
                      integer_text(j, "failed") + " failed, " + integer_text(j, "dlq") + " dlq"}},
        style);
  }
  auto bytes = [](const Json& j, const char* key) {
    const auto v = integer(j, key);
    return v ? format_bytes(*v) : "N/A";
  };
  for (const auto& s : array(body, "streams"))
    out += kv_line(
        {{"Stream", str(s, "name") + " (" + integer_text(s, "messages") + " msgs, " +
                        bytes(s, "bytes") + ", " + integer_text(s, "consumers") + " consumers)"}},
        style);
  for (const auto& b : array(body, "kv_buckets"))
    out += kv_line({{"Bucket", str(b, "name") + " (" + integer_text(b, "keys") + " keys, " +
                                   bytes(b, "bytes") + ")"}},
                   style);
  for (const auto& o : array(body, "object_stores"))
    out += kv_line({{"Object Store", str(o, "name") + " (" + bytes(o, "size") + ")"}}, style);

  if (body.contains("consumers")) {
    const Json c = object(body, "consumers");
    out += "\n" + kv_line({{"Consumers", integer_text(c, "total") + " total"}}, style);
    Table t{{"NAME", "PENDING", "ACK PENDING", "REDELIVERED"}, {}};
    for (const auto& e : array(c, "consumers"))
      t.rows.push_back({str(e, "name"), integer_text(e, "pending"), integer_text(e, "ack_pending"),
                        integer_text(e, "redelivered")});
    if (!t.rows.empty()) out += section("", t, style);
  }
  return out;
}

namespace {

// Ready and status answer 503 with their normal body when the system is not healthy: show it,
// then fail.
int show_with_503(Context& ctx, const Reply& r, const View& view) {
  if ((r.status != 200 && r.status != 503) || !r.doc.is_object()) api_error(ctx, r);
  show(ctx, r, view);
  if (r.status == 503) throw CommandError{"API returned 503 Service Unavailable: " + error_text(r)};
  return 0;
}

}  // namespace

int show_health_status(Context& ctx, const View& view) {
  return show_with_503(ctx, call(ctx, "GET", "/api/health/status", true), view);
}

void add_health_commands(CommandEnv& env) {
  CLI::App* health = add_group(env.client, "health", "controller health probes and status");
  env.add_leaf(health, "liveness", "is the controller up", config::Command::kClient,
               [](Context& ctx) {
                 show(ctx, call_ok(ctx, "GET", "/api/health", false), view_health_liveness);
                 return 0;
               });
  env.add_leaf(health, "ready", "is the controller ready to serve", config::Command::kClient,
               [](Context& ctx) {
                 return show_with_503(ctx, call(ctx, "GET", "/api/health/ready", false),
                                      view_health_ready);
               });
  env.add_leaf(health, "status", "components, registry, streams, buckets and job counts",
               config::Command::kClientAuthenticated,
               [](Context& ctx) { return show_health_status(ctx, view_health_status); });
}

}  // namespace osapi::cli
