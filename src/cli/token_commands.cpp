#include "cli/token_commands.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "auth/jwt.h"
#include "auth/permissions.h"
#include "common/strings.h"
#include "common/time.h"
#include "logging/logger.h"

namespace osapi::cli {

using json = nlohmann::ordered_json;

namespace {
void warn_short_key(const std::string& key) {
  if (key.size() < 32) logging::warn("signing key shorter than 32 bytes");
}
}  // namespace

int token_generate(Context& ctx, const TokenGenerateFlags& f) {
  const auto& key = ctx.cfg.controller.api.signing_key;
  if (auto st = auth::validate_roles(f.roles, ctx.cfg.controller.api.roles); !st.ok())
    throw CommandError{"invalid roles: " + st.error().message};
  if (auto st = auth::validate_permissions(f.permissions); !st.ok())
    throw CommandError{"invalid permissions: " + st.error().message};
  warn_short_key(key);
  const auto claims = auth::generate_claims(f.roles, f.subject, f.permissions);
  const std::string token = auth::sign(claims, key);
  if (ctx.json) {
    json j{{"token", token}, {"subject", f.subject}, {"roles", f.roles}};
    if (!f.permissions.empty()) j["permissions"] = f.permissions;
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::string out = "\n" + kv_line({{"Token", token}}, ctx.style);
  out += kv_line({{"Subject", f.subject}, {"Roles", join(f.roles, ", ")}}, ctx.style);
  if (!f.permissions.empty())
    out += kv_line({{"Permissions", join(f.permissions, ", ")}}, ctx.style);
  std::fputs(out.c_str(), stdout);
  return 0;
}

int token_validate(Context& ctx, const std::string& token) {
  const auto& roles = ctx.cfg.controller.api.roles;
  auto claims = auth::verify(token, ctx.cfg.controller.api.signing_key, auth::role_names(roles));
  if (!claims.ok()) throw CommandError{"failed to validate token: " + claims.error().message};
  const auto eff = auth::effective_permissions(*claims, roles);
  const std::vector<std::string> effective(eff.begin(), eff.end());
  const std::vector<std::string> role_list = claims->roles.value_or(std::vector<std::string>{});
  auto ts = [](const std::optional<int64_t>& t) {
    return t ? rfc3339(from_unix_nano(*t * 1'000'000'000LL)) : std::string("-");
  };
  if (ctx.json) {
    json j{{"subject", claims->sub}, {"roles", role_list}};
    if (!claims->permissions.empty()) j["permissions"] = claims->permissions;
    j["effective_permissions"] = effective;
    j["audience"] = claims->aud;
    if (claims->iat) j["issued_at"] = ts(claims->iat);
    if (claims->exp) j["expires_at"] = ts(claims->exp);
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::string out =
      "\n" + kv_line({{"Subject", claims->sub}, {"Roles", join(role_list, ", ")}}, ctx.style);
  if (!claims->permissions.empty())
    out += kv_line({{"Permissions", join(claims->permissions, ", ")}}, ctx.style);
  out += kv_line({{"Effective Permissions", join(effective, ", ")}}, ctx.style);
  out += kv_line({{"Audience", join(claims->aud, ", ")}}, ctx.style);
  out += kv_line({{"Issued", ts(claims->iat)}, {"Expires", ts(claims->exp)}}, ctx.style);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace osapi::cli
