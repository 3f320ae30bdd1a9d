// Per-route authentication and authorization. Runs inside handlers after parameter binding
// and body decoding, so malformed input is answered 400 before a token is looked at.
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
// The same with the permission of the matched route (the route table is the one place that
// names it).
std::optional<http::Response> authorize(http::Request& req, const ApiContext& ctx);

}  // namespace osapi::api
