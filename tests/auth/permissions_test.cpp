#include "auth/permissions.h"

#include <gtest/gtest.h>

using namespace osapi;
using namespace osapi::auth;

namespace {

Claims with_roles(std::vector<std::string> roles, std::vector<std::string> perms = {}) {
  Claims c;
  c.roles = std::move(roles);
  c.permissions = std::move(perms);
  return c;
}

CustomRoles custom(
    std::initializer_list<std::pair<const std::string, std::vector<std::string>>> l) {
  CustomRoles out;
  for (const auto& [name, perms] : l) out[name].permissions = perms;
  return out;
}

// The 36 permissions and the built-in roles, written out from upstream's permission table
// (not derived from the code under test).
const PermissionSet kAll = {
    "agent:read",      "agent:write",     "node:read",        "node:write",        "network:read",
    "network:write",   "job:read",        "job:write",        "health:read",       "audit:read",
    "command:execute", "file:read",       "file:write",       "docker:read",       "docker:write",
    "docker:execute",  "cron:read",       "cron:write",       "sysctl:read",       "sysctl:write",
    "ntp:read",        "ntp:write",       "timezone:read",    "timezone:write",    "power:execute",
    "process:read",    "process:execute", "user:read",        "user:write",        "package:read",
    "package:write",   "log:read",        "certificate:read", "certificate:write", "service:read",
    "service:write"};
const PermissionSet kWrite = {
    "agent:read",   "node:read",        "node:write",        "network:read",  "network:write",
    "job:read",     "job:write",        "health:read",       "file:read",     "file:write",
    "docker:read",  "docker:write",     "cron:read",         "cron:write",    "sysctl:read",
    "sysctl:write", "ntp:read",         "ntp:write",         "timezone:read", "timezone:write",
    "process:read", "user:read",        "user:write",        "package:read",  "package:write",
    "log:read",     "certificate:read", "certificate:write", "service:read",  "service:write"};
const PermissionSet kRead = {"agent:read",  "node:read",    "network:read",  "job:read",
                             "health:read", "file:read",    "docker:read",   "cron:read",
                             "sysctl:read", "ntp:read",     "timezone:read", "process:read",
                             "user:read",   "package:read", "log:read",      "certificate:read",
                             "service:read"};

}  // namespace

TEST(Permissions, ThirtySixKnownPermissions) {
  EXPECT_EQ(all_permissions().size(), 36u);
  EXPECT_EQ(PermissionSet(all_permissions().begin(), all_permissions().end()), kAll);
  EXPECT_TRUE(is_known_permission("command:execute"));
  EXPECT_FALSE(is_known_permission("foo:bar"));
  EXPECT_FALSE(is_known_permission(""));
}

TEST(Permissions, ResolutionTable) {
  EXPECT_EQ(effective_permissions(with_roles({"admin"}), {}), kAll);
  EXPECT_EQ(effective_permissions(with_roles({"write"}), {}), kWrite);
  EXPECT_EQ(effective_permissions(with_roles({"read"}), {}), kRead);
  EXPECT_EQ(kWrite.size(), 30u);
  EXPECT_EQ(kRead.size(), 17u);
  EXPECT_TRUE(effective_permissions(with_roles({"unknown"}), {}).empty());
  EXPECT_TRUE(effective_permissions(with_roles({}), {}).empty());
  EXPECT_TRUE(effective_permissions(Claims{}, {}).empty());
  // Direct permissions override roles.
  EXPECT_EQ(effective_permissions(with_roles({"admin"}, {"node:read"}), {}),
            PermissionSet{"node:read"});
  // Custom role with a new name.
  const auto ops = custom({{"ops", {"node:read", "health:read", "command:execute"}}});
  EXPECT_EQ(effective_permissions(with_roles({"ops"}), ops),
            (PermissionSet{"node:read", "health:read", "command:execute"}));
  EXPECT_TRUE(effective_permissions(with_roles({"ops"}), {}).empty());
  // Custom "read" shadows the built-in.
  const auto shadow = custom({{"read", {"node:read", "health:read"}}});
  EXPECT_EQ(effective_permissions(with_roles({"read"}), shadow),
            (PermissionSet{"node:read", "health:read"}));
  EXPECT_EQ(effective_permissions(with_roles({"admin"}), shadow), kAll);
  // Union.
  EXPECT_EQ(effective_permissions(with_roles({"read", "write"}), {}),
            effective_permissions(with_roles({"write"}), {}));
  PermissionSet read_and_ops = kRead;
  read_and_ops.insert("command:execute");
  EXPECT_EQ(effective_permissions(with_roles({"read", "ops"}), ops), read_and_ops);
}

TEST(Permissions, ConfiguredAdminReplacesBuiltin) {  // AU-13, AU-14
  auto narrow = custom({{"admin", {"health:read"}}});
  EXPECT_FALSE(authorize(effective_permissions(with_roles({"admin"}), narrow), "node:read").ok());
  auto wider = custom({{"admin", {"node:read", "health:read"}}});
  EXPECT_TRUE(authorize(effective_permissions(with_roles({"admin"}), wider), "node:read").ok());
}

TEST(Permissions, AuthorizeMessage) {
  EXPECT_TRUE(authorize(kAll, "audit:read").ok());
  const auto st = authorize({"node:read", "health:read"}, "network:write");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(st.error().message,
            "Insufficient permissions. Required: [network:write], resolved: "
            "map[health:read:true node:read:true]");
  EXPECT_EQ(insufficient_permissions_message("job:read", {}),
            "Insufficient permissions. Required: [job:read], resolved: map[]");
}

TEST(Permissions, ValidateRolesAndPermissions) {
  EXPECT_TRUE(validate_roles({"admin", "write", "read"}, {}).ok());
  EXPECT_EQ(validate_roles({"read", "ops"}, {}).error().message, "unsupported role: ops");
  EXPECT_EQ(validate_roles({"ops"}, {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(validate_roles({"ops"}, custom({{"ops", {"node:read"}}})).ok());
  EXPECT_TRUE(validate_permissions({}).ok());
  EXPECT_TRUE(validate_permissions({"node:read", "command:execute"}).ok());
  EXPECT_EQ(validate_permissions({"node:read", "foo:bar"}).error().message,
            "unsupported permission: foo:bar");
}

TEST(Permissions, RoleNames) {
  EXPECT_TRUE(is_builtin_role("admin"));
  EXPECT_FALSE(is_builtin_role("Admin"));
  EXPECT_TRUE(is_valid_role_name("ops_team-1"));
  EXPECT_FALSE(is_valid_role_name(""));
  EXPECT_FALSE(is_valid_role_name("ops team"));
  EXPECT_FALSE(is_valid_role_name("ops.x"));
  EXPECT_EQ(role_names(custom({{"ops", {}}, {"read", {}}})),
            (std::set<std::string>{"ops", "read"}));
  EXPECT_TRUE(builtin_role_permissions("nope").empty());
}
