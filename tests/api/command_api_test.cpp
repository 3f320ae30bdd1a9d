// Acceptance §5 (command) against the real API and real agents.
#include "netcmd_fixture.h"

using namespace osapi;
using namespace osapi::api::netcmd_testing;
using json = nlohmann::json;

TEST(CommandApi, CM1_ExecRunsOnTheAgent) {
  FakeTools tools;
  Fixture f;
  auto r = f.call("POST", "/command/exec", R"({"command":"mytool","args":["-la","a b"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  const json& i = r.doc["results"][0];
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["stdout"], "mytool -la a b\n");
  EXPECT_EQ(i["stderr"], "");
  EXPECT_EQ(i["exit_code"], 0);
  EXPECT_EQ(i["changed"], true);
  EXPECT_TRUE(i["duration_ms"].is_number_integer());
  EXPECT_FALSE(i.contains("error"));
}

TEST(CommandApi, CM1_ShellRunsThroughSh) {
  Fixture f;
  auto r = f.call("POST", "/command/shell", R"({"command":"echo hello | tr a-z A-Z"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0]["stdout"], "HELLO\n");
  EXPECT_EQ(r.doc["results"][0]["changed"], true);
}

TEST(CommandApi, CM2_CM3_BodyValidation) {
  Fixture f(Hosts{});
  for (const char* route : {"/command/exec", "/command/shell"}) {
    const std::string type =
        std::string(route) == "/command/exec" ? "CommandExecRequest" : "CommandShellRequest";
    auto r = f.call("POST", route, "{}");
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(contains(r.body, "'" + type + ".Command'") && contains(r.body, "'required' tag"))
        << r.body;
    r = f.call("POST", route, R"({"command":"ls","timeout":999})");
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(contains(r.body, "Timeout") && contains(r.body, "'max' tag")) << r.body;
    r = f.call("POST", route, R"({"command":"ls","timeout":0})");
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(contains(r.body, "Timeout") && contains(r.body, "'min' tag")) << r.body;
    r = f.call("POST", route, R"({"command":"ls","timeout":"5"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(contains(r.body, "Unmarshal type error: expected=int, got=string, field=timeout"))
        << r.body;
  }
}

TEST(CommandApi, CM4_CM5_TargetValidation) {
  Fixture f;
  for (const char* route : {"/command/exec", "/command/shell"}) {
    auto r = f.call("POST", std::string(route) + "?target_hostname=", R"({"command":"ls"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(contains(r.body, "TargetHostname") && contains(r.body, "'min' tag")) << r.body;
    r = f.call("POST", std::string(route) + "?target_hostname=nonexistent", R"({"command":"ls"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(contains(r.body, "valid_target") && contains(r.body, "not found")) << r.body;
  }
}

TEST(CommandApi, CM6_CwdIsUsed) {
  osapi::testing::TempDir dir;
  Fixture f;
  auto r = f.call("POST", "/command/exec", json{{"command", "pwd"}, {"cwd", dir.path()}}.dump());
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0]["stdout"], dir.path() + "\n");
}

TEST(CommandApi, CM7_BroadcastWithHostErrors) {
  FakeTools tools;
  Fixture f({"agent1", "agent2"});
  auto r = f.call("POST", "/command/exec?target_hostname=_all", R"({"command":"mytool"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"].size(), 2u);
  f.add_stub("server2",
             "command exec failed: failed to execute command: exec: \"mytool\": "
             "executable file not found in $PATH");
  r = f.call("POST", "/command/exec?target_hostname=_all", R"({"command":"mytool"})");
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 3u) << r.body;
  const json& last = r.doc["results"][2];
  EXPECT_EQ(last.size(), 2u) << last;  // {"hostname","error"} only
  EXPECT_EQ(last["hostname"], "server2");
  EXPECT_TRUE(contains(last["error"].get<std::string>(), "executable file not found"));
}

TEST(CommandApi, CM8_SingleFailureIs500) {
  Fixture f;
  auto r =
      f.call("POST", "/command/exec?target_hostname=agent1", R"({"command":"osapi-no-such-tool"})");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc["error"],
            "job failed: command exec failed: failed to execute command: exec: "
            "\"osapi-no-such-tool\": executable file not found in $PATH");
}

TEST(CommandApi, CM10_TimeoutIsAJobFailure) {
  Fixture f;
  auto r = f.call("POST", "/command/exec", R"({"command":"sleep","args":["5"],"timeout":1})");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc["error"], "job failed: command exec failed: command timed out after 1s");
  r = f.call("POST", "/command/shell", R"({"command":"sleep 5","timeout":1})");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc["error"], "job failed: command shell failed: command timed out after 1s");
}

TEST(CommandApi, CM11_NonZeroExitIsASuccess) {
  Fixture f;
  auto r = f.call("POST", "/command/exec", R"({"command":"sh","args":["-c","exit 3"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0]["exit_code"], 3);
  EXPECT_FALSE(r.doc["results"][0].contains("error"));
}

TEST(CommandApi, NeedsCommandExecute) {
  Fixture f(Hosts{});
  auto r = f.call("POST", "/command/exec", R"({"command":"ls"})", Fixture::token({"read"}));
  EXPECT_EQ(r.status, 403) << r.body;
  r = f.call("POST", "/command/shell", R"({"command":"ls"})", "");
  EXPECT_EQ(r.status, 401) << r.body;
}
