// /api/job routes. Stage order per route: parameter binding → body decoding →
// authentication/authorization → validation → dispatch.
#include <cctype>
#include <string>
#include <vector>

#include "api/authz.h"
#include "api/handlers.h"
#include "api/node_operation.h"
#include "api/validation.h"
#include "common/strings.h"
#include "http/binding.h"
#include "job/listing.h"

namespace osapi::api {

using json = nlohmann::ordered_json;

namespace {

// Go's names for a JSON value's kind, as its decoder reports them.
std::string json_kind(const nlohmann::json& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "bool";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

// Byte offset just past the value of top-level `field` in `body` (Go reports the decoder's
// position); the body length when it cannot be located.
size_t offset_after_field(const std::string& body, const std::string& field) {
  const std::string quoted = "\"" + field + "\"";
  size_t i = body.find(quoted);
  if (i == std::string::npos) return body.size();
  i = body.find(':', i + quoted.size());
  if (i == std::string::npos) return body.size();
  ++i;
  while (i < body.size() && isspace(static_cast<unsigned char>(body[i]))) ++i;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || isspace(static_cast<unsigned char>(c)))) {
      return i;
    }
  }
  return body.size();
}

// 400 framework body for a field of the wrong JSON type.
http::Response type_error(const std::string& body, const std::string& expected,
                          const nlohmann::json& got, const std::string& field) {
  return http::Response::framework_error(
      400, "Unmarshal type error: expected=" + expected + ", got=" + json_kind(got) +
               ", field=" + field + ", offset=" + std::to_string(offset_after_field(body, field)));
}

// Parses a retry target and checks it against the registry; "" when valid.
std::string check_target(ApiContext& ctx, const std::string& value, job::Target& out) {
  auto t = job::parse_target(value);
  if (!t.ok())
    return field_error("RetryJobRequest", "TargetHostname", "valid_target") + ": target agent \"" +
           value + "\" not found";
  if (auto st = ctx.registry->resolve(*t); !st.ok())
    return field_error("RetryJobRequest", "TargetHostname", "valid_target") + ": " +
           st.error().message;
  out = *t;
  return "";
}

http::Response created(const job::Submitted& s) {
  return http::Response::json(201, json{{"job_id", s.job_id},
                                        {"status", "unprocessed"},
                                        {"revision", s.revision},
                                        {"timestamp", s.created}});
}

// Not found → 404, bad input → 400, NATS unavailable → 503, anything else → 500; always
// {"error": …}.
http::Response error_response(const Error& e) {
  if (e.code == ErrorCode::kNotFound) return http::Response::app_error(404, e.message);
  if (e.code == ErrorCode::kInvalidArgument) return http::Response::app_error(400, e.message);
  return job_error(e);
}

}  // namespace

http::Response get_jobs(ApiContext& ctx, http::Request& req) {
  auto limit = http::query_int(req, "limit", 10);
  if (!limit) return limit.response();
  auto offset = http::query_int(req, "offset", 0);
  if (!offset) return offset.response();
  if (auto denied = authorize(req, ctx)) return *denied;

  const std::string* status_param = req.query_param("status");
  const std::string status = status_param ? *status_param : "";
  std::vector<std::string> problems;
  if (!status.empty() && !job::is_listable_status(status))
    problems.push_back(field_error("GetJobsParams", "Status", "oneof"));
  // 0 counts as absent (the default page of 10); 1..100 otherwise.
  if (*limit < 0) problems.push_back(field_error("GetJobsParams", "Limit", "min"));
  if (*limit > 100) problems.push_back(field_error("GetJobsParams", "Limit", "max"));
  if (*offset < 0) problems.push_back(field_error("GetJobsParams", "Offset", "min"));
  if (!problems.empty()) return http::Response::app_error(400, join(problems, "; "));

  if (auto down = nats_unavailable(ctx)) return *down;
  auto page = ctx.jobs->list(status, *limit == 0 ? 10 : *limit, *offset);
  if (!page.ok()) return job_error(page.error());
  json items = json::array();
  for (const auto& v : page->items) items.push_back(job::to_list_item_json(v));
  json counts = json::object();
  for (const auto& [s, n] : page->status_counts)
    if (n > 0 || job::is_listable_status(s)) counts[s] = n;
  return http::Response::json(
      200, json{{"total_items", page->total_items}, {"status_counts", counts}, {"items", items}});
}

http::Response get_job_by_id(ApiContext& ctx, http::Request& req) {
  auto id = http::path_uuid(req, "id");
  if (!id) return id.response();
  if (auto denied = authorize(req, ctx)) return *denied;
  if (auto down = nats_unavailable(ctx)) return *down;
  auto view = ctx.jobs->get(*id);
  if (!view.ok()) return error_response(view.error());
  return http::Response::json(200, job::to_detail_json(*view));
}

http::Response delete_job_by_id(ApiContext& ctx, http::Request& req) {
  auto id = http::path_uuid(req, "id");
  if (!id) return id.response();
  if (auto denied = authorize(req, ctx)) return *denied;
  if (auto down = nats_unavailable(ctx)) return *down;
  auto st = ctx.jobs->del(*id);
  if (!st.ok()) return error_response(st.error());
  return http::Response::no_content();
}

http::Response retry_job_by_id(ApiContext& ctx, http::Request& req) {
  auto id = http::path_uuid(req, "id");
  if (!id) return id.response();
  auto body = http::decode_json_body(req);
  if (!body) return body.response();
  if (!body->is_object()) return type_error(req.body, "RetryJobRequest", *body, "");
  const auto target_field = body->find("target_hostname");
  if (target_field != body->end() && !target_field->is_string() && !target_field->is_null())
    return type_error(req.body, "string", *target_field, "target_hostname");
  if (auto denied = authorize(req, ctx)) return *denied;
  if (auto down = nats_unavailable(ctx)) return *down;

  // Retrying runs the stored operation again: the caller needs that operation's own
  // permission too, or a job:write token could re-run an admin's shell command.
  auto record = ctx.jobs->record(*id);
  if (!record.ok()) return error_response(record.error());
  if (!record->operation.is_object())
    return http::Response::app_error(400, "job has no operation data: " + *id);
  const NodeOperation* op = operation_for_job_type(record->type());
  if (op == nullptr)
    return http::Response::app_error(400, "job operation cannot be retried: " + record->type());
  if (auto denied = authorize(req, ctx, op->permission)) return *denied;

  // Absent, null, {} or no body ⇒ _any; present but empty ⇒ min.
  std::string target_text = "_any";
  if (target_field != body->end() && target_field->is_string()) {
    target_text = target_field->get<std::string>();
    if (target_text.empty())
      return http::Response::app_error(400,
                                       field_error("RetryJobRequest", "TargetHostname", "min"));
  }
  job::Target target;
  if (auto bad = check_target(ctx, target_text, target); !bad.empty())
    return http::Response::app_error(400, bad);

  auto submitted = ctx.jobs->retry(*id, target);
  if (!submitted.ok()) return error_response(submitted.error());
  return created(*submitted);
}

}  // namespace osapi::api
