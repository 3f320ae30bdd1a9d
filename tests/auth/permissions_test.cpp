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

const PermissionSet kAll = {"node:read", "network:read", "network:write", "job:read",
                            "job:write", "health:read",  "audit:read",    "command:execute"};

}  // namespace

TEST(Permissions, EightKnownPermissions) {
  EXPECT_EQ(all_permissions().size(), 8u);
  EXPECT_EQ(PermissionSet(all_permissions().begin(), all_permissions().end()), kAll);
  EXPECT_TRUE(is_known_permission("command:execute"));
  EXPECT_FALSE(is_known_permission("foo:bar"));
  EXPECT_FALSE(is_known_permission(""));
}

// acceptance.md §1 "Permission resolution (U)".
TEST(Permissions, ResolutionTable) {
  EXPECT_EQ(effective_permissions(with_roles({"admin"}), {}), kAll);
  EXPECT_EQ(effective_permissions(with_roles({"write"}), {}),
            (PermissionSet{"node:read", "network:read", "network:write", "job:read", "job:write",
                           "health:read"}));
  EXPECT_EQ(effective_permissions(with_roles({"read"}), {}),
            (PermissionSet{"node:read", "network:read", "job:read", "health:read"}));
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
  EXPECT_EQ(
      effective_permissions(with_roles({"read", "ops"}), ops),
      (PermissionSet{"node:read", "network:read", "job:read", "health:read", "command:execute"}));
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
