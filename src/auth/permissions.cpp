#include "auth/permissions.h"

#include "config/loader.h"

namespace osapi::auth {
namespace {

// admin holds every permission; write drops agent:write, audit:read and every :execute;
// read keeps only the :read permissions.
const std::map<std::string, PermissionSet, std::less<>>& builtin_roles() {
  static const auto* roles = [] {
    auto* out = new std::map<std::string, PermissionSet, std::less<>>();
    PermissionSet admin, write, read;
    for (const auto& p : all_permissions()) {
      admin.insert(p);
      const bool is_read = p.ends_with(":read");
      const bool admin_only = p == "agent:write" || p == "audit:read" || p.ends_with(":execute");
      if (!admin_only) write.insert(p);
      if (is_read && p != "audit:read") read.insert(p);
    }
    (*out)["admin"] = std::move(admin);
    (*out)["write"] = std::move(write);
    (*out)["read"] = std::move(read);
    return out;
  }();
  return *roles;
}

}  // namespace

const std::vector<std::string>& all_permissions() {
  return config::known_permissions();
}

bool is_known_permission(std::string_view permission) {
  for (const auto& p : all_permissions()) {
    if (p == permission) return true;
  }
  return false;
}

bool is_builtin_role(std::string_view role) {
  return builtin_roles().find(role) != builtin_roles().end();
}

const PermissionSet& builtin_role_permissions(std::string_view role) {
  static const PermissionSet kNone;
  const auto it = builtin_roles().find(role);
  return it == builtin_roles().end() ? kNone : it->second;
}

std::set<std::string> role_names(const CustomRoles& custom_roles) {
  std::set<std::string> names;
  for (const auto& [name, role] : custom_roles) names.insert(name);
  return names;
}

bool is_valid_role_name(std::string_view role) {
  if (role.empty()) return false;
  for (char c : role) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

PermissionSet role_permissions(const std::vector<std::string>& roles,
                               const CustomRoles& custom_roles) {
  PermissionSet out;
  for (const auto& role : roles) {
    const auto custom = custom_roles.find(role);
    if (custom != custom_roles.end()) {
      out.insert(custom->second.permissions.begin(), custom->second.permissions.end());
      continue;
    }
    const auto& builtin = builtin_role_permissions(role);
    out.insert(builtin.begin(), builtin.end());
  }
  return out;
}

PermissionSet effective_permissions(const Claims& claims, const CustomRoles& custom_roles) {
  if (!claims.permissions.empty()) {
    return PermissionSet(claims.permissions.begin(), claims.permissions.end());
  }
  if (!claims.roles) return {};
  return role_permissions(*claims.roles, custom_roles);
}

std::string insufficient_permissions_message(std::string_view required,
                                             const PermissionSet& effective) {
  std::string msg = "Insufficient permissions. Required: [";
  msg += required;
  msg += "], resolved: map[";
  bool first = true;
  for (const auto& p : effective) {  // std::set iterates sorted, like Go's map printing
    if (!first) msg += ' ';
    first = false;
    msg += p;
    msg += ":true";
  }
  msg += ']';
  return msg;
}

Status authorize(const PermissionSet& effective, std::string_view required) {
  if (effective.find(std::string(required)) != effective.end()) return Status::Ok();
  return Error(ErrorCode::kPermissionDenied, insufficient_permissions_message(required, effective));
}

Status validate_roles(const std::vector<std::string>& roles, const CustomRoles& custom_roles) {
  for (const auto& r : roles) {
    if (!is_builtin_role(r) && custom_roles.find(r) == custom_roles.end()) {
      return Error(ErrorCode::kInvalidArgument, "unsupported role: " + r);
    }
  }
  return Status::Ok();
}

Status validate_permissions(const std::vector<std::string>& permissions) {
  for (const auto& p : permissions) {
    if (!is_known_permission(p)) {
      return Error(ErrorCode::kInvalidArgument, "unsupported permission: " + p);
    }
  }
  return Status::Ok();
}

}  // namespace osapi::auth
