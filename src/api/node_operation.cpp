#include "api/node_operation.h"

#include <algorithm>
#include <limits>

#include "api/authz.h"
#include "api/handlers.h"
#include "api/ops.h"
#include "api/validation.h"
#include "http/binding.h"
#include "provider/format.h"

namespace osapi::api {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

constexpr const char* kTimeoutError = "timeout: agent did not respond";

const char* item_status(const std::string& response_status) {
  if (response_status == "completed") return "ok";
  if (response_status == "skipped") return "skipped";
  return "failed";
}

std::optional<bool> reported_changed(const job::JobResponse& r) {
  if (r.changed) return *r.changed;
  if (r.data.is_object()) {
    auto it = r.data.find("changed");
    if (it != r.data.end() && it->is_boolean()) return it->get<bool>();
  }
  return std::nullopt;
}

json result_item(const NodeOperation& op, const job::JobResponse& r) {
  const std::string status = item_status(r.status);
  json item{{"hostname", r.hostname}, {"status", status}};
  const bool ok = status == "ok";
  switch (op.changed) {
    case ChangedRule::kReadOnly:
      if (ok) item["changed"] = false;
      break;
    case ChangedRule::kMissingIsTrue:
      item["changed"] = ok ? reported_changed(r).value_or(true) : false;
      break;
    case ChangedRule::kReported:
      if (auto c = reported_changed(r); c && ok) item["changed"] = *c;
      break;
  }
  if (!ok) {
    item["error"] = r.error.empty() ? std::string("operation failed") : r.error;
    return item;
  }
  if (op.fields) op.fields(r, item);
  return item;
}

json timeout_item(const NodeOperation& op, const std::string& hostname) {
  json item{{"error", kTimeoutError}, {"hostname", hostname}, {"status", "failed"}};
  if (op.changed == ChangedRule::kMissingIsTrue) item["changed"] = false;
  return item;
}

}  // namespace

http::Response job_error(const Error& e) {
  return http::Response::app_error(e.code == ErrorCode::kUnavailable ? 503 : 500, e.message);
}

std::optional<http::Response> nats_unavailable(const ApiContext& ctx) {
  if (ctx.conn && ctx.conn->connected()) return std::nullopt;
  return http::Response::app_error(503, "NATS not connected: reconnecting, retry later");
}

http::Response field_violation(const std::string& type, const std::string& field,
                               const std::string& tag) {
  const std::string key = type.empty() ? field : type + "." + field;
  return http::Response::app_error(400, "Key: '" + key + "' Error:Field validation for '" + field +
                                            "' failed on the '" + tag + "' tag");
}

std::variant<job::Target, http::Response> bind_node_target(const http::Request& req,
                                                           ApiContext& ctx) {
  auto p = req.path_params.find("hostname");
  const std::string value = p == req.path_params.end() ? "" : p->second;
  if (value.empty()) return field_violation("", "", "required");
  auto invalid = [&](const std::string& why) {
    return http::Response::app_error(
        400, "Key: '' Error:Field validation for '' failed on the 'valid_target' tag: " + why);
  };
  auto t = job::parse_target(value);
  if (!t.ok()) return invalid("target agent \"" + value + "\" not found");
  if (auto st = ctx.registry->resolve(*t); !st.ok()) return invalid(st.error().message);
  return *t;
}

std::string string_of(const ojson& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

void copy_string_list(const ojson& from, const char* from_key, json& item, const char* to_key) {
  if (!from.is_object()) return;
  auto it = from.find(from_key);
  if (it == from.end() || !it->is_array()) return;
  json out = json::array();
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  item[to_key] = out;
}

int64_t bytes_of(const ojson& obj, const char* key) {
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

http::Response run_node_operation(ApiContext& ctx, http::Request& req, const NodeOperation& op) {
  // Binding and decoding come before authentication, so malformed input answers 400 first.
  json body = json::object();
  if (!op.body_fields.empty()) {
    auto decoded = http::decode_json_body(req);
    if (!decoded) return decoded.response();
    if (auto bad = check_body_types(*decoded, req.body, op.body_type, op.body_fields)) return *bad;
    body = std::move(*decoded);
  }
  if (auto denied = authorize(req, ctx)) return *denied;
  // Before the target lookup: with NATS down the registry read would call a known host unknown.
  if (auto down = nats_unavailable(ctx)) return *down;
  auto bound = bind_node_target(req, ctx);
  if (auto* resp = std::get_if<http::Response>(&bound)) return std::move(*resp);
  const job::Target target = std::get<job::Target>(std::move(bound));
  ojson data = ojson::object();
  if (op.build) {
    auto built = op.build(req, body);
    if (auto* resp = std::get_if<http::Response>(&built)) return std::move(*resp);
    data = std::get<ojson>(std::move(built));
  }

  job::WaitOptions wait;
  wait.timeout = ctx.cfg.controller.api.job_timeout;
  if (op.wait_for) wait.timeout = op.wait_for(data, wait.timeout);
  if (target.broadcast()) wait.expected_hosts = ctx.registry->expected_hosts(target);
  auto outcome = ctx.jobs->run(ojson{{"type", op.job_type}, {"data", data}}, target, op.kind, wait);
  if (!outcome.ok()) return job_error(outcome.error());

  json results = json::array();
  for (const auto& r : outcome->responses) {
    if (!target.broadcast() && r.status == "failed")
      return http::Response::app_error(500, "job failed: " + r.error);
    results.push_back(result_item(op, r));
  }
  for (const auto& h : outcome->missing) results.push_back(timeout_item(op, h));
  return http::Response::json(op.success_code,
                              json{{"job_id", outcome->job_id}, {"results", results}});
}

const std::vector<NodeOperation>& node_operations() {
  static const std::vector<NodeOperation> ops = [] {
    std::vector<NodeOperation> out;
    add_node_ops(out);
    add_network_ops(out);
    add_command_ops(out);
    return out;
  }();
  return ops;
}

const NodeOperation* operation_for_job_type(std::string_view job_type) {
  for (const auto& op : node_operations())
    if (job_type == op.job_type) return &op;
  return nullptr;
}

}  // namespace osapi::api
