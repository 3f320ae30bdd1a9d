#include "api/validation.h"

namespace osapi::api {

std::string field_error(const std::string& type, const std::string& field, const std::string& tag) {
  return "Key: '" + type + "." + field + "' Error:Field validation for '" + field +
         "' failed on the '" + tag + "' tag";
}

TargetOrError bind_target(const http::Request& req, ApiContext& ctx,
                          const std::string& params_type) {
  TargetOrError out;
  const std::string* raw = req.query_param("target_hostname");
  const std::string value = raw ? *raw : "_any";
  if (raw && raw->empty()) {
    out.error = http::Response::app_error(400, field_error(params_type, "TargetHostname", "min"));
    return out;
  }
  auto not_found = [&] {
    return http::Response::app_error(
        400, field_error(params_type, "TargetHostname", "valid_target") + ": target agent \"" +
                 value + "\" not found");
  };
  auto t = job::parse_target(value);
  if (!t.ok()) {
    out.error = not_found();
    return out;
  }
  if (!ctx.registry->validate(*t).ok()) {
    out.error = not_found();
    return out;
  }
  out.target = *t;
  return out;
}

}  // namespace osapi::api
