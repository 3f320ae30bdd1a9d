#include <algorithm>
#include <cmath>
#include <limits>

#include "api/authz.h"
#include "api/handlers.h"
#include "api/validation.h"
#include "logging/logger.h"
#include "provider/format.h"

namespace osapi::api {

using json = nlohmann::ordered_json;

http::Response job_error(const Error& e) {
  return http::Response::app_error(500, e.message);
}

http::Response get_node(ApiContext& ctx, http::Request& req) {
  if (auto denied = authorize(req, ctx, "node:read")) return *denied;
  auto agents = ctx.registry->list();
  if (!agents.ok()) return http::Response::app_error(500, agents.error().message);
  json list = json::array();
  for (const auto& a : *agents) list.push_back(json{{"hostname", a.hostname}});
  return http::Response::json(200, json{{"agents", list}, {"total", agents->size()}});
}

namespace {

using ItemFn = json (*)(const job::JobResponse&);

// Shared path of the job-backed node queries: auth, target, run, map responses.
http::Response run_node_query(ApiContext& ctx, http::Request& req, const std::string& params_type,
                              const std::string& op_type, ItemFn item) {
  if (auto denied = authorize(req, ctx, "node:read")) return *denied;
  auto bound = bind_target(req, ctx, params_type);
  if (bound.error) return *bound.error;
  const job::Target& target = *bound.target;
  job::WaitOptions wait;
  if (target.broadcast()) wait.expected_hosts = ctx.registry->expected_hosts(target);
  auto outcome = ctx.jobs->run(json{{"type", op_type}, {"data", json::object()}}, target,
                               job::OpKind::kQuery, wait);
  if (!outcome.ok()) return job_error(outcome.error());
  json results = json::array();
  for (const auto& r : outcome->responses) {
    if (r.status == "failed") {
      if (!target.broadcast()) return http::Response::app_error(500, "job failed: " + r.error);
      results.push_back(json{{"hostname", r.hostname}, {"error", r.error}});
      continue;
    }
    results.push_back(item(r));
  }
  return http::Response::json(200, json{{"job_id", outcome->job_id}, {"results", results}});
}

std::string reported_hostname(const job::JobResponse& r) {
  if (r.data.is_object()) {
    auto it = r.data.find("hostname");
    if (it != r.data.end() && it->is_string() && !it->get<std::string>().empty())
      return it->get<std::string>();
  }
  return r.hostname;
}

json hostname_item(const job::JobResponse& r) {
  json item{{"hostname", reported_hostname(r)}};
  if (r.data.is_object()) {
    auto l = r.data.find("labels");
    if (l != r.data.end() && l->is_object() && !l->empty()) item["labels"] = *l;
  }
  return item;
}

// Byte counts arrive as JSON numbers; values above int64 max are clamped.
int64_t bytes_of(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return 0;
  if (it->is_number_unsigned()) return provider::clamp_to_int64(it->get<uint64_t>());
  if (it->is_number_integer()) return std::max<int64_t>(0, it->get<int64_t>());
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (d >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
    return d > 0 ? static_cast<int64_t>(d) : 0;
  }
  return 0;
}

json status_item(const job::JobResponse& r) {
  const json& d = r.data;
  json item = json::object();
  if (!d.is_object()) return json{{"hostname", r.hostname}};
  auto disks = d.find("disk_usage");
  if (disks != d.end() && disks->is_array()) {
    json out = json::array();
    for (const auto& disk : *disks) {
      if (!disk.is_object()) continue;
      out.push_back(json{{"free", bytes_of(disk, "Free")},
                         {"name", disk.value("Name", std::string())},
                         {"total", bytes_of(disk, "Total")},
                         {"used", bytes_of(disk, "Used")}});
    }
    item["disks"] = out;
  }
  item["hostname"] = reported_hostname(r);
  auto load = d.find("load_averages");
  if (load != d.end() && load->is_object())
    item["load_average"] = json{{"1min", load->value("Load1", 0.0)},
                                {"5min", load->value("Load5", 0.0)},
                                {"15min", load->value("Load15", 0.0)}};
  auto mem = d.find("memory_stats");
  if (mem != d.end() && mem->is_object()) {
    const int64_t total = bytes_of(*mem, "Total");
    const int64_t free = bytes_of(*mem, "Free");
    const int64_t cached = bytes_of(*mem, "Cached");
    item["memory"] = json{
        {"free", free}, {"total", total}, {"used", std::max<int64_t>(0, total - free - cached)}};
  }
  auto os = d.find("os_info");
  if (os != d.end() && os->is_object())
    item["os_info"] = json{{"distribution", os->value("Distribution", std::string())},
                           {"version", os->value("Version", std::string())}};
  auto up = d.find("uptime");
  if (up != d.end() && up->is_number())
    item["uptime"] = provider::uptime_text(static_cast<int64_t>(up->get<double>() / 1e9));
  return item;
}

}  // namespace

http::Response get_node_hostname(ApiContext& ctx, http::Request& req) {
  return run_node_query(ctx, req, "GetNodeHostnameParams", "node.hostname.get", hostname_item);
}

http::Response get_node_status(ApiContext& ctx, http::Request& req) {
  return run_node_query(ctx, req, "GetNodeStatusParams", "node.status.get", status_item);
}

}  // namespace osapi::api
