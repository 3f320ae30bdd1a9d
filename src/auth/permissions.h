// Permissions (36, one per domain and access level), built-in roles and request authorization.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.h"
#include "common/result.h"
#include "config/config.h"

namespace osapi::auth {

inline constexpr std::string_view kAgentRead = "agent:read";
inline constexpr std::string_view kAgentWrite = "agent:write";
inline constexpr std::string_view kNodeWrite = "node:write";
inline constexpr std::string_view kNodeRead = "node:read";
inline constexpr std::string_view kNetworkRead = "network:read";
inline constexpr std::string_view kNetworkWrite = "network:write";
inline constexpr std::string_view kJobRead = "job:read";
inline constexpr std::string_view kJobWrite = "job:write";
inline constexpr std::string_view kHealthRead = "health:read";
inline constexpr std::string_view kAuditRead = "audit:read";
inline constexpr std::string_view kCommandExecute = "command:execute";

using CustomRoles = std::map<std::string, config::Role>;
using PermissionSet = std::set<std::string>;

// The 36 permissions, grouped by domain.
const std::vector<std::string>& all_permissions();
bool is_known_permission(std::string_view permission);

// admin, write, read.
bool is_builtin_role(std::string_view role);
// Built-in meaning of a role (empty for an unknown name).
const PermissionSet& builtin_role_permissions(std::string_view role);
// Names of configured roles (for verify()'s custom_role_names).
std::set<std::string> role_names(const CustomRoles& custom_roles);
// Role name syntax: non-empty, [A-Za-z0-9_-]+.
bool is_valid_role_name(std::string_view role);

// a non-empty permissions claim is used as is (unknown strings included); otherwise
// the union over roles, where a configured role replaces the built-in of the same name and
// unknown roles give nothing.
PermissionSet effective_permissions(const Claims& claims, const CustomRoles& custom_roles);
PermissionSet role_permissions(const std::vector<std::string>& roles,
                               const CustomRoles& custom_roles);

// "Insufficient permissions. Required: [<perm>], resolved: map[<p1>:true <p2>:true]".
std::string insufficient_permissions_message(std::string_view required,
                                             const PermissionSet& effective);
// Ok when `required` is in `effective`; else kPermissionDenied with the message above.
Status authorize(const PermissionSet& effective, std::string_view required);

// `token generate` pre-checks: "unsupported role: <r>" / "unsupported permission: <p>"
// (kInvalidArgument; the CLI prefixes "invalid roles: " / "invalid permissions: ").
Status validate_roles(const std::vector<std::string>& roles, const CustomRoles& custom_roles);
Status validate_permissions(const std::vector<std::string>& permissions);

}  // namespace osapi::auth
