// GET /audit, /audit/export, /audit/{id}. routes.cpp registers them only when audit is enabled
// (ctx.audit set); otherwise the router answers 404.
#include <algorithm>

#include "api/audit.h"
#include "api/authz.h"
#include "api/handlers.h"
#include "api/validation.h"
#include "http/binding.h"

namespace osapi::api {

using json = nlohmann::ordered_json;

namespace {

constexpr long long kDefaultLimit = 20;
constexpr long long kMaxLimit = 100;

json page_json(const AuditPage& page) {
  json items = json::array();
  for (const auto& e : page.items) items.push_back(to_json(e));
  return json{{"total_items", page.total_items}, {"items", std::move(items)}};
}

}  // namespace

http::Response get_audit_logs(ApiContext& ctx, http::Request& req) {
  auto limit = http::query_int(req, "limit", kDefaultLimit);  // binding precedes auth
  if (!limit) return limit.response();
  auto offset = http::query_int(req, "offset", 0);
  if (!offset) return offset.response();
  if (auto denied = authorize(req, ctx, "audit:read")) return *denied;
  std::vector<std::string> problems;
  if (*limit < 1) problems.push_back(field_error("GetAuditLogsParams", "Limit", "min"));
  if (*limit > kMaxLimit) problems.push_back(field_error("GetAuditLogsParams", "Limit", "max"));
  if (*offset < 0) problems.push_back(field_error("GetAuditLogsParams", "Offset", "min"));
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    return http::Response::app_error(400, msg);
  }
  auto page = ctx.audit->list(static_cast<size_t>(*limit), static_cast<size_t>(*offset));
  if (!page.ok()) return http::Response::app_error(500, "failed to list audit entries");
  return http::Response::json(200, page_json(*page));
}

http::Response get_audit_export(ApiContext& ctx, http::Request& req) {
  if (auto denied = authorize(req, ctx, "audit:read")) return *denied;
  auto page = ctx.audit->export_all();
  if (!page.ok()) return http::Response::app_error(500, "failed to list all audit entries");
  return http::Response::json(200, page_json(*page));
}

http::Response get_audit_log_by_id(ApiContext& ctx, http::Request& req) {
  auto id = http::path_uuid(req, "id");
  if (!id) return id.response();
  if (auto denied = authorize(req, ctx, "audit:read")) return *denied;
  std::string key = *id;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto entry = ctx.audit->get(key);
  if (!entry.ok()) {
    if (entry.error().code == ErrorCode::kNotFound)
      return http::Response::app_error(404, "audit entry not found");
    return http::Response::app_error(500, "failed to get audit entry");
  }
  return http::Response::json(200, json{{"entry", to_json(*entry)}});
}

}  // namespace osapi::api
