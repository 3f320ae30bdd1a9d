#include "cli/client_commands.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "common/strings.h"
#include "http/client.h"
#include "http/response.h"
#include "logging/logger.h"

namespace osapi::cli {

using json = nlohmann::ordered_json;

namespace {

std::string url_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct Reply {
  int status = 0;
  std::string body;
  json doc;  // parsed body (null when not JSON)
};

// One request to the API. Transport failure → CommandError "cannot reach API at <url>: …".
Reply call(Context& ctx, const std::string& method, const std::string& path, bool auth,
           const std::string& body = "") {
  http::ClientRequest req;
  req.method = method;
  req.url = ctx.cfg.api_client.url + path;
  if (auth && !ctx.cfg.api_client.bearer_token.empty())
    req.headers.emplace_back("Authorization", "Bearer " + ctx.cfg.api_client.bearer_token);
  if (!body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  auto r = http::request(req);
  if (!r.ok())
    throw CommandError{"cannot reach API at " + ctx.cfg.api_client.url + ": " + r.error().message};
  Reply rep;
  rep.status = r->status;
  rep.body = r->body;
  rep.doc = json::parse(rep.body, nullptr, false);
  if (rep.doc.is_discarded()) rep.doc = nullptr;
  return rep;
}

// `<text>` of spec/cli.md §4: error, else message, else the first 200 chars of the body.
std::string error_text(const Reply& r) {
  std::string t;
  if (r.doc.is_object()) {
    if (r.doc.contains("error") && r.doc["error"].is_string())
      t = r.doc["error"].get<std::string>();
    else if (r.doc.contains("message") && r.doc["message"].is_string())
      t = r.doc["message"].get<std::string>();
  }
  if (t.empty()) t = r.body.substr(0, 200);
  t = trim(t);
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\n')
      out += "; ";
    else if (t[i] != '\r')
      out += t[i];
  }
  return out;
}

[[noreturn]] void api_error(Context& ctx, const Reply& r) {
  if (ctx.json && !r.doc.is_null()) std::printf("%s\n", trim(r.body).c_str());
  std::string msg =
      "API returned " + std::to_string(r.status) + " " + std::string(http::reason_phrase(r.status));
  const std::string t = error_text(r);
  if (!t.empty()) msg += ": " + t;
  throw CommandError{msg};
}

void print_json_body(const Reply& r) {
  std::string b = r.body;
  if (b.empty() || b.back() != '\n') b += "\n";
  std::fwrite(b.data(), 1, b.size(), stdout);
}

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string labels_text(const json& labels) {
  if (!labels.is_object() || labels.empty()) return "";
  std::map<std::string, std::string> sorted;
  for (auto it = labels.begin(); it != labels.end(); ++it)
    sorted[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) parts.push_back(k + ":" + v);
  return join(parts, ", ");
}

// Prints "Error: n of m hosts failed" semantics: returns the count of failed items.
int failed_items(const json& results) {
  int n = 0;
  for (const auto& r : results)
    if (r.is_object() && r.contains("error")) ++n;
  return n;
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

int finish_broadcast(const json& results) {
  const int failed = failed_items(results);
  if (failed > 0)
    throw CommandError{std::to_string(failed) + " of " + std::to_string(results.size()) +
                       " hosts failed"};
  return 0;
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

int client_job_get(Context& ctx, const std::string& job_id) {
  if (!is_uuid(job_id)) throw CommandError{"invalid job ID: " + job_id + " is not a valid UUID"};
  Reply r = call(ctx, "GET", "/job/" + job_id, true);
  if (r.status >= 400) api_error(ctx, r);
  if (ctx.json) {
    print_json_body(r);
    return 0;
  }
  const json& j = r.doc;
  std::string out = kv_line({{"Job ID", str(j, "id")}, {"Status", str(j, "status")}}, ctx.style);
  for (const char* k : {"hostname", "created", "updated_at", "error"}) {
    const std::string v = str(j, k);
    if (v.empty()) continue;
    std::string label = k == std::string("hostname")     ? "Hostname"
                        : k == std::string("created")    ? "Created"
                        : k == std::string("updated_at") ? "Updated At"
                                                         : "Error";
    out += kv_line({{label, v}}, ctx.style);
  }
  if (j.contains("agent_states") && j["agent_states"].size() > 1) {
    int done = 0, failed = 0, processing = 0;
    for (const auto& [h, st] : j["agent_states"].items()) {
      const std::string s = str(st, "status");
      if (s == "completed")
        ++done;
      else if (s == "failed")
        ++failed;
      else
        ++processing;
    }
    out += kv_line({{"Agents", std::to_string(j["agent_states"].size()) + " total (" +
                                   std::to_string(done) + " completed, " + std::to_string(failed) +
                                   " failed, " + std::to_string(processing) + " processing)"}},
                   ctx.style);
  }
  if (j.contains("operation"))
    out += section("Job Request", Table{{"DATA"}, {{j["operation"].dump(2)}}}, ctx.style);
  if (j.contains("responses")) {
    Table t{{"HOSTNAME", "STATUS", "DATA", "ERROR"}, {}};
    for (const auto& [h, resp] : j["responses"].items())
      t.rows.push_back({h, str(resp, "status"), resp.contains("data") ? resp["data"].dump(2) : "",
                        str(resp, "error")});
    out += section("Agent Responses", t, ctx.style);
  }
  if (j.contains("agent_states")) {
    Table t{{"HOSTNAME", "STATUS", "DURATION", "ERROR"}, {}};
    for (const auto& [h, st] : j["agent_states"].items())
      t.rows.push_back({h, str(st, "status"), str(st, "duration"), str(st, "error")});
    out += section("Agent States", t, ctx.style);
  }
  if (j.contains("timeline")) {
    Table t{{"TIMESTAMP", "EVENT", "HOSTNAME", "MESSAGE", "ERROR"}, {}};
    for (const auto& e : j["timeline"])
      t.rows.push_back({str(e, "timestamp"), str(e, "event"), str(e, "hostname"), str(e, "message"),
                        str(e, "error")});
    out += section("Timeline", t, ctx.style);
  }
  if (j.contains("result"))
    out += section("Job Result", Table{{"DATA"}, {{j["result"].dump(2)}}}, ctx.style);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace osapi::cli
