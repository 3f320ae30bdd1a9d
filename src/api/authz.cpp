#include "api/authz.h"

#include "auth/jwt.h"
#include "auth/permissions.h"
#include "common/strings.h"

namespace osapi::api {

std::optional<http::Response> authorize(http::Request& req, const ApiContext& ctx,
                                        std::string_view permission) {
  const std::string* h = req.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!h || h->compare(0, kBearer.size(), kBearer) != 0)
    return http::Response::app_error(401, "Bearer token required");
  const std::string token = h->substr(kBearer.size());
  const auto& roles = ctx.cfg.controller.api.roles;
  auto claims = auth::verify(token, ctx.cfg.controller.api.signing_key, auth::role_names(roles));
  if (!claims.ok())
    return http::Response::app_error(401, "Invalid token: " + claims.error().message);
  // A permission we do not know is a token minted for another system, or a typo: refuse it
  // rather than let it silently grant nothing.
  for (const auto& p : claims->permissions)
    if (!auth::is_known_permission(p))
      return http::Response::app_error(401, "Invalid token: unknown permission \"" + p + "\"");
  req.attrs["auth.user"] = claims->sub;
  req.attrs["auth.roles"] = join(claims->roles.value_or(std::vector<std::string>{}), ",");
  const auto effective = auth::effective_permissions(*claims, roles);
  if (auto st = auth::authorize(effective, permission); !st.ok())
    return http::Response::app_error(403, st.error().message);
  // A change nobody could audit is refused before it is made: while the audit log can store
  // nothing (NATS unreachable and the spool unwritable), only reads go on.
  const bool reads = req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS";
  if (!reads && ctx.audit && !ctx.audit->writable())
    return http::Response::app_error(503, "audit log unavailable");
  return std::nullopt;
}

}  // namespace osapi::api

namespace osapi::api {

std::optional<http::Response> authorize(http::Request& req, const ApiContext& ctx) {
  return authorize(req, ctx, req.route_info.permission);
}

}  // namespace osapi::api
