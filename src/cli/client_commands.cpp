#include "cli/client_commands.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/api_call.h"
#include "common/ids.h"
#include "common/strings.h"
#include "logging/logger.h"

namespace osapi::cli {

using json = nlohmann::ordered_json;

namespace {

std::string labels_text(const json& labels) {
  if (!labels.is_object() || labels.empty()) return "";
  std::map<std::string, std::string> sorted;
  for (auto it = labels.begin(); it != labels.end(); ++it)
    sorted[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) parts.push_back(k + ":" + v);
  return join(parts, ", ");
}

std::string gb(const json& v) {
  if (!v.is_number()) return "N/A";
  const double bytes = v.get<double>();
  return std::to_string(static_cast<long long>(std::floor(bytes / (1024.0 * 1024 * 1024)))) + " GB";
}

std::string fmt2(const json& v) {
  if (!v.is_number()) return "N/A";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v.get<double>());
  return buf;
}

}  // namespace

int client_health(Context& ctx, const std::string& which) {
  const std::string path = which.empty() ? "/health" : "/health/" + which;
  Reply r = call(ctx, "GET", path, false);
  if (which == "ready" && (r.status == 200 || r.status == 503) && r.doc.is_object()) {
    if (ctx.json)
      print_json_body(r);
    else {
      std::string out = kv_line({{"Status", str(r.doc, "status")}}, ctx.style);
      if (!str(r.doc, "error").empty()) out += kv_line({{"Error", str(r.doc, "error")}}, ctx.style);
      std::fputs(out.c_str(), stdout);
    }
    if (r.status == 503) {
      std::fflush(stdout);
      throw CommandError{"API returned 503 Service Unavailable: " + error_text(r)};
    }
    return 0;
  }
  if (r.status >= 400) api_error(ctx, r);
  if (ctx.json)
    print_json_body(r);
  else
    std::fputs(kv_line({{"Status", str(r.doc, "status")}}, ctx.style).c_str(), stdout);
  return 0;
}

int client_node_list(Context& ctx) {
  Reply r = call(ctx, "GET", "/node", true);
  if (r.status >= 400) api_error(ctx, r);
  if (ctx.json) {
    print_json_body(r);
    return 0;
  }
  const json agents = r.doc.is_object() ? r.doc.value("agents", json::array()) : json::array();
  if (agents.empty()) {
    std::puts("No active agents found.");
    return 0;
  }
  Table t{{"HOSTNAME"}, {}};
  for (const auto& a : agents) t.rows.push_back({str(a, "hostname")});
  const long long total = r.doc.value("total", static_cast<long long>(agents.size()));
  std::fputs(section("Active Agents (" + std::to_string(total) + ")", t, ctx.style).c_str(),
             stdout);
  return 0;
}

int client_node_hostname(Context& ctx, const ClientFlags& f) {
  Reply r = call(ctx, "GET", "/node/hostname?target_hostname=" + url_encode(f.target), true);
  if (r.status >= 400) api_error(ctx, r);
  const json results = r.doc.is_object() ? r.doc.value("results", json::array()) : json::array();
  if (ctx.json) {
    print_json_body(r);
    return finish_broadcast(results);
  }
  std::string out = kv_line({{"Job ID", str(r.doc, "job_id")}}, ctx.style);
  std::vector<BroadcastRow> rows;
  for (const auto& item : results)
    rows.push_back({str(item, "hostname"),
                    str(item, "error"),
                    std::nullopt,
                    {labels_text(item.value("labels", json::object()))}});
  out += "\n" + render_table(broadcast_table({"LABELS"}, rows), ctx.style);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  return finish_broadcast(results);
}

int client_node_status(Context& ctx, const ClientFlags& f) {
  Reply r = call(ctx, "GET", "/node/status?target_hostname=" + url_encode(f.target), true);
  if (r.status >= 400) api_error(ctx, r);
  const json results = r.doc.is_object() ? r.doc.value("results", json::array()) : json::array();
  if (ctx.json) {
    print_json_body(r);
    return finish_broadcast(results);
  }
  std::string out = kv_line({{"Job ID", str(r.doc, "job_id")}}, ctx.style);
  if (results.size() == 1 && f.target != "_all" && !results[0].contains("error")) {
    const json& s = results[0];
    const json os = s.value("os_info", json::object());
    std::string os_text = trim(str(os, "distribution") + " " + str(os, "version"));
    out += kv_line({{"Hostname", str(s, "hostname")}, {"OS", os_text}}, ctx.style);
    if (s.contains("load_average")) {
      const json& l = s["load_average"];
      out +=
          kv_line({{"Load", fmt2(l.value("1min", json())) + ", " + fmt2(l.value("5min", json())) +
                                ", " + fmt2(l.value("15min", json())) + " (1m, 5m, 15m)"}},
                  ctx.style);
    }
    if (s.contains("memory")) {
      const json& m = s["memory"];
      out += kv_line(
          {{"Memory", gb(m.value("used", json())) + " used / " + gb(m.value("total", json())) +
                          " total / " + gb(m.value("free", json())) + " free"}},
          ctx.style);
    }
    Table disks{{"DISK NAME", "TOTAL", "USED", "FREE"}, {}};
    for (const auto& d : s.value("disks", json::array()))
      disks.rows.push_back({str(d, "name"), gb(d.value("total", json())),
                            gb(d.value("used", json())), gb(d.value("free", json()))});
    if (!disks.rows.empty()) out += section("Disks", disks, ctx.style);
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  std::vector<BroadcastRow> rows;
  for (const auto& s : results) {
    const json m = s.value("memory", json::object());
    const std::string mem =
        m.empty() ? "" : gb(m.value("used", json())) + " / " + gb(m.value("total", json()));
    rows.push_back(
        {str(s, "hostname"),
         str(s, "error"),
         std::nullopt,
         {str(s, "uptime"),
          s.contains("load_average") ? fmt2(s["load_average"].value("1min", json())) : "N/A",
          mem}});
  }
  out +=
      "\n" + render_table(broadcast_table({"UPTIME", "LOAD (1m)", "MEMORY USED"}, rows), ctx.style);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  return finish_broadcast(results);
}

}  // namespace osapi::cli
