// Command operations (exec without a shell, shell through /bin/sh -c) through real HTTP against
// the real API, real agents and fake agents for failing hosts.
#include "common/ids.h"
#include "node_fixture.h"

using namespace osapi;
using namespace osapi::api::node_testing;
using json = nlohmann::json;

TEST(CommandApi, ExecRunsOnTheAgent) {
  FakeTools tools;
  Fixture f;
  auto r = f.call("POST", "/api/node/agent1/command/exec",
                  R"({"command":"mytool","args":["-la","a b"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(is_uuid(r.doc["job_id"].get<std::string>()));
  ASSERT_EQ(r.doc["results"].size(), 1u);
  json i = r.doc["results"][0];
  EXPECT_EQ(i["hostname"], "agent1");
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["stdout"], "mytool -la a b\n");
  EXPECT_EQ(i["stderr"], "");
  EXPECT_EQ(i["exit_code"], 0);
  EXPECT_EQ(i["changed"], true);
  EXPECT_TRUE(i["duration_ms"].is_number_integer());
  EXPECT_FALSE(i.contains("error"));
}

TEST(CommandApi, ShellRunsThroughSh) {
  Fixture f;
  auto r =
      f.call("POST", "/api/node/_any/command/shell", R"({"command":"echo hello | tr a-z A-Z"})");
  ASSERT_EQ(r.status, 202) << r.body;
  json i = r.doc["results"][0];
  EXPECT_EQ(i["status"], "ok");
  EXPECT_EQ(i["stdout"], "HELLO\n");
  EXPECT_EQ(i["changed"], true);
}

TEST(CommandApi, BodyValidation) {
  Fixture f(Hosts{});
  for (const char* route : {"/api/node/_any/command/exec", "/api/node/_any/command/shell"}) {
    const std::string type = contains(route, "exec") ? "CommandExecRequest" : "CommandShellRequest";
    auto r = f.call("POST", route, "{}");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.doc["error"], "Key: '" + type +
                                  ".Command' Error:Field validation for 'Command' failed on the "
                                  "'required' tag")
        << r.body;
    r = f.call("POST", route, "");  // the body is required: none is {}
    EXPECT_EQ(r.status, 400) << r.body;
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

TEST(CommandApi, TargetValidation) {
  Fixture f;
  for (const char* op : {"exec", "shell"}) {
    auto r =
        f.call("POST", std::string("/api/node/nonexistent/command/") + op, R"({"command":"ls"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.doc["error"],
              "Key: '' Error:Field validation for '' failed on the 'valid_target' tag: target "
              "agent \"nonexistent\" not found")
        << r.body;
    r = f.call("POST", std::string("/api/node/group:none/command/") + op, R"({"command":"ls"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(contains(r.body, "target agent \\\"group:none\\\" not found")) << r.body;
  }
}

TEST(CommandApi, CwdIsUsed) {
  osapi::testing::TempDir dir;
  Fixture f;
  auto r = f.call("POST", "/api/node/agent1/command/exec",
                  json{{"command", "pwd"}, {"cwd", dir.path()}}.dump());
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0]["stdout"], dir.path() + "\n");
}

TEST(CommandApi, BroadcastWithHostErrors) {
  FakeTools tools;
  Fixture f({"agent1", "agent2"});
  f.add_stub("server2",
             "command exec failed: failed to execute command: exec: \"mytool\": "
             "executable file not found in $PATH");
  auto r = f.call("POST", "/api/node/_all/command/exec", R"({"command":"mytool"})");
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(r.doc["results"].size(), 3u) << r.body;
  for (const char* h : {"agent1", "agent2"}) {
    json* ok = item_for(r, h);
    ASSERT_TRUE(ok) << r.body;
    EXPECT_EQ((*ok)["status"], "ok");
    EXPECT_EQ((*ok)["stdout"], "mytool\n");
  }
  json last = r.doc["results"][2];
  EXPECT_EQ(last.size(), 3u) << last;  // {"hostname","status","error"} only
  EXPECT_EQ(last["hostname"], "server2");
  EXPECT_EQ(last["status"], "failed");
  EXPECT_TRUE(contains(last["error"].get<std::string>(), "executable file not found"));
}

TEST(CommandApi, SingleFailureIs500) {
  Fixture f;
  auto r = f.call("POST", "/api/node/agent1/command/exec", R"({"command":"osapi-no-such-tool"})");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc, (json{{"error",
                          "job failed: command exec failed: failed to execute command: exec: "
                          "\"osapi-no-such-tool\": executable file not found in $PATH"}}));
}

TEST(CommandApi, TimeoutIsAJobFailure) {
  Fixture f;
  auto r = f.call("POST", "/api/node/agent1/command/exec",
                  R"({"command":"sleep","args":["5"],"timeout":1})");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc["error"], "job failed: command exec failed: command timed out after 1s");
  r = f.call("POST", "/api/node/agent1/command/shell", R"({"command":"sleep 5","timeout":1})");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.doc["error"], "job failed: command shell failed: command timed out after 1s");
}

TEST(CommandApi, NonZeroExitIsASuccess) {
  Fixture f;
  auto r =
      f.call("POST", "/api/node/agent1/command/exec", R"({"command":"sh","args":["-c","exit 3"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.doc["results"][0]["status"], "ok");
  EXPECT_EQ(r.doc["results"][0]["exit_code"], 3);
  EXPECT_FALSE(r.doc["results"][0].contains("error"));
}

TEST(CommandApi, NeedsCommandExecute) {
  Fixture f(Hosts{});
  for (const char* role : {"read", "write"}) {
    auto r = f.call("POST", "/api/node/_any/command/exec", R"({"command":"ls"})",
                    Fixture::token({role}));
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_TRUE(contains(r.body, "Required: [command:execute]")) << r.body;
  }
  auto r = f.call("POST", "/api/node/_any/command/shell", R"({"command":"ls"})", "");
  EXPECT_EQ(r.status, 401) << r.body;
}
