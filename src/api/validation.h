// Validator-style messages of spec/rest-api.md §3.4.
#pragma once

#include <optional>
#include <string>

#include "api/context.h"
#include "http/request.h"
#include "http/response.h"
#include "job/subjects.h"

namespace osapi::api {

// "Key: '<Type>.<Field>' Error:Field validation for '<Field>' failed on the '<tag>' tag"
std::string field_error(const std::string& type, const std::string& field, const std::string& tag);

// Reads ?target_hostname= (absent → _any), validates it (min, valid_target against the live
// registry) and returns the target, or the 400 response.
struct TargetOrError {
  std::optional<job::Target> target;
  std::optional<http::Response> error;
};
TargetOrError bind_target(const http::Request& req, ApiContext& ctx,
                          const std::string& params_type);

}  // namespace osapi::api
