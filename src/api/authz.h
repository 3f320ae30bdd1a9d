// Per-route authentication and authorization (spec/auth.md §4). Runs inside handlers after
// parameter binding and body decoding, as the spec orders the stages.
#pragma once

#include <optional>
#include <string_view>

#include "api/context.h"
#include "http/request.h"
#include "http/response.h"

namespace osapi::api {

// nullopt when the request may proceed; else the 401/403 response. On success (and on 403)
// the subject and roles are recorded in req.attrs ("auth.user", "auth.roles").
std::optional<http::Response> authorize(http::Request& req, const ApiContext& ctx,
                                        std::string_view permission);

}  // namespace osapi::api
