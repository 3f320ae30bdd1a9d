// Node operations: status, disk, memory, load, OS, uptime, hostname.
#include <cmath>

#include "api/node_operation.h"
#include "api/ops.h"
#include "provider/format.h"
#include "provider/hostname.h"

namespace osapi::api {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

const ojson& object_at(const ojson& d, const char* key) {
  static const ojson kNull;
  if (!d.is_object()) return kNull;
  auto it = d.find(key);
  return it != d.end() && it->is_object() ? *it : kNull;
}

void add_disks(const ojson& disks, json& item) {
  if (!disks.is_array()) return;
  json out = json::array();
  for (const auto& disk : disks) {
    if (!disk.is_object()) continue;
    out.push_back(json{{"free", bytes_of(disk, "Free")},
                       {"name", disk.value("Name", std::string())},
                       {"total", bytes_of(disk, "Total")},
                       {"used", bytes_of(disk, "Used")}});
  }
  item["disks"] = out;
}

void add_load(const ojson& load, json& item) {
  if (!load.is_object()) return;
  item["load_average"] = json{{"1min", load.value("Load1", 0.0)},
                              {"5min", load.value("Load5", 0.0)},
                              {"15min", load.value("Load15", 0.0)}};
}

// `used` is memory in use by processes: neither free nor page cache.
void add_memory(const ojson& mem, json& item) {
  if (!mem.is_object()) return;
  const int64_t total = bytes_of(mem, "Total");
  const int64_t free = bytes_of(mem, "Free");
  const int64_t cached = bytes_of(mem, "Cached");
  item["memory"] =
      json{{"free", free}, {"total", total}, {"used", std::max<int64_t>(0, total - free - cached)}};
}

void add_os(const ojson& os, json& item) {
  if (!os.is_object()) return;
  item["os_info"] = json{{"distribution", os.value("Distribution", std::string())},
                         {"version", os.value("Version", std::string())}};
}

void add_uptime_seconds(double seconds, json& item) {
  item["uptime"] = provider::uptime_text(static_cast<int64_t>(seconds));
}

void status_fields(const job::JobResponse& r, json& item) {
  const ojson& d = r.data;
  if (!d.is_object()) return;
  if (auto it = d.find("disk_usage"); it != d.end()) add_disks(*it, item);
  add_load(object_at(d, "load_averages"), item);
  add_memory(object_at(d, "memory_stats"), item);
  add_os(object_at(d, "os_info"), item);
  if (auto up = d.find("uptime"); up != d.end() && up->is_number())
    add_uptime_seconds(up->get<double>() / 1e9, item);
}

void disk_fields(const job::JobResponse& r, json& item) {
  if (r.data.is_object())
    if (auto it = r.data.find("disks"); it != r.data.end()) add_disks(*it, item);
}

void uptime_fields(const job::JobResponse& r, json& item) {
  if (!r.data.is_object()) return;
  auto it = r.data.find("uptime_seconds");
  if (it != r.data.end() && it->is_number()) add_uptime_seconds(it->get<double>(), item);
}

// The item's hostname stays the responding agent's (agent.hostname when set): every item of
// every operation is keyed by the agent that answered.
void hostname_fields(const job::JobResponse& r, json& item) {
  const ojson& labels = object_at(r.data, "labels");
  if (labels.is_object() && !labels.empty()) item["labels"] = labels;
}

BuildResult hostname_update(const http::Request&, const json& body) {
  const auto name = string_field(body, "hostname");
  Violations v("HostnameUpdateRequest");
  if (!name || name->empty())
    v.add("Hostname", "required");
  else if (name->size() > 253)
    v.add("Hostname", "max");
  if (!v.empty()) return v.response();
  return ojson{{"hostname", *name}};
}

NodeOperation query(const char* path, const char* id, const char* type,
                    std::function<void(const job::JobResponse&, json&)> fields) {
  NodeOperation op{
      "GET", path, id, "node:read", type, job::OpKind::kQuery, 200, ChangedRule::kReadOnly};
  op.fields = std::move(fields);
  return op;
}

}  // namespace

void add_node_ops(std::vector<NodeOperation>& ops) {
  ops.push_back(query("/api/node/{hostname}", "GetNodeStatus", "node.status.get", status_fields));
  ops.push_back(query("/api/node/{hostname}/disk", "GetNodeDisk", "node.disk.get", disk_fields));
  ops.push_back(query("/api/node/{hostname}/memory", "GetNodeMemory", "node.memory.get",
                      [](const job::JobResponse& r, json& item) { add_memory(r.data, item); }));
  ops.push_back(query("/api/node/{hostname}/load", "GetNodeLoad", "node.load.get",
                      [](const job::JobResponse& r, json& item) { add_load(r.data, item); }));
  ops.push_back(query("/api/node/{hostname}/os", "GetNodeOS", "node.os.get",
                      [](const job::JobResponse& r, json& item) { add_os(r.data, item); }));
  ops.push_back(
      query("/api/node/{hostname}/uptime", "GetNodeUptime", "node.uptime.get", uptime_fields));
  ops.push_back(query("/api/node/{hostname}/hostname", "GetNodeHostname", "node.hostname.get",
                      hostname_fields));

  NodeOperation put{"PUT",
                    "/api/node/{hostname}/hostname",
                    "PutNodeHostname",
                    "node:write",
                    "node.hostname.update",
                    job::OpKind::kModify,
                    202,
                    ChangedRule::kMissingIsTrue,
                    "HostnameUpdateRequest",
                    {{"hostname", FieldType::kString}}};
  put.build = hostname_update;
  ops.push_back(std::move(put));
}

}  // namespace osapi::api
