// CLI behaviour that needs no server.
#include <gtest/gtest.h>

#include "stack.h"

using namespace osapi::testing;

TEST(E2ECli, HelpNeedsNoConfig) {
  auto r = run({OSAPI_BINARY});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("client"), std::string::npos);
  r = run({OSAPI_BINARY, "help"});
  EXPECT_EQ(r.code, 0);
  r = run({OSAPI_BINARY, "client", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("node"), std::string::npos);
}

TEST(E2ECli, UnknownCommandIsUsageError) {
  auto r = run({OSAPI_BINARY, "client", "system", "hostname", "get"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: ", 0), 0u) << r.err;
}

TEST(E2ECli, VersionNeedsNoConfig) {
  auto r = run({OSAPI_BINARY, "version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\"gitVersion\": \"0.1.0\""), std::string::npos) << r.out;
  r = run({OSAPI_BINARY, "--version"});
  EXPECT_EQ(r.code, 0);
}

TEST(E2ECli, TokenGenerateJsonThenValidate) {
  Stack stack;
  auto gen = stack.osapi({"-j", "token", "generate", "-r", "admin", "-u", "test@ci"});
  ASSERT_EQ(gen.code, 0) << gen.err;
  auto tok = run({"sh", "-c", "sed -n 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/p'"}, {}, gen.out);
  std::string token = tok.out;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  ASSERT_FALSE(token.empty());
  auto val = stack.osapi({"token", "validate", "-t", token});
  EXPECT_EQ(val.code, 0) << val.err;
  EXPECT_NE(val.out.find("Subject: test@ci"), std::string::npos) << val.out;
  auto bad = stack.osapi({"token", "validate", "-t", token + "x"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err.rfind("Error: failed to validate token: ", 0), 0u) << bad.err;
  auto role = stack.osapi({"token", "generate", "-r", "ops", "-u", "x"});
  EXPECT_EQ(role.code, 1);
  EXPECT_NE(role.err.find("unsupported role: ops"), std::string::npos);
}

TEST(E2ECli, AU25_CustomRoleTokenGenerate) {
  Stack stack;
  auto ok =
      stack.osapi({"token", "generate", "-r", "ops", "-u", "x"},
                  {{"OSAPI_CONTROLLER_API_SECURITY_ROLES", "{ops: {permissions: [node:read]}}"}});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("Roles: ops"), std::string::npos) << ok.out;
  auto bad = stack.osapi({"token", "generate", "-r", "ops", "-u", "x"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("unsupported role: ops"), std::string::npos) << bad.err;
}
