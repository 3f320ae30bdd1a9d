#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "process.h"
#include "provider/command.h"

using namespace osapi;
using namespace osapi::provider;
using ojson = nlohmann::ordered_json;

namespace {

CommandRequest exec(std::string command, std::vector<std::string> args = {}) {
  CommandRequest r;
  r.command = std::move(command);
  r.args = std::move(args);
  return r;
}

CommandRequest shell(std::string script) {
  CommandRequest r;
  r.command = std::move(script);
  r.shell = true;
  return r;
}

// True while the process exists and is not a zombie.
bool alive(pid_t pid) {
  const std::string stat = osapi::testing::read_file("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return false;
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

}  // namespace

TEST(CommandProvider, ExecCapturesStdoutAndExitCode) {
  auto r = run_command(exec("echo", {"hello", "world"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stdout_text, "hello world\n");
  EXPECT_EQ(r->stderr_text, "");
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_GE(r->duration_ms, 0);
  const ojson j = to_json(*r);
  EXPECT_EQ(j.dump(),
            "{\"stdout\":\"hello world\\n\",\"stderr\":\"\",\"exit_code\":0,\"duration_ms\":" +
                std::to_string(r->duration_ms) + ",\"changed\":true}");
}

TEST(CommandProvider, CM11_NonZeroExitIsASuccess) {
  auto r = run_command(exec("sh", {"-c", "echo oops >&2; exit 3"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->stderr_text, "oops\n");
}

TEST(CommandProvider, ArgumentsAreNotInterpretedByAShell) {
  auto r = run_command(exec("echo", {"$HOME", "a;b", "*"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stdout_text, "$HOME a;b *\n");
}

TEST(CommandProvider, ShellRunsThroughBinSh) {
  auto r = run_command(shell("echo hello | tr a-z A-Z"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stdout_text, "HELLO\n");
}

TEST(CommandProvider, CM6_CwdIsHonoured) {
  osapi::testing::TempDir dir;
  auto req = exec("pwd");
  req.cwd = dir.path();
  auto r = run_command(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stdout_text, dir.path() + "\n");
}

TEST(CommandProvider, MissingBinaryIsAnExecFailure) {
  auto r = run_command(exec("osapi-no-such-binary"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "failed to execute command: exec: \"osapi-no-such-binary\": executable file not "
            "found in $PATH");
}

TEST(CommandProvider, BadCwdIsAnExecFailure) {
  auto req = exec("true");
  req.cwd = "/nonexistent-osapi-dir";
  auto r = run_command(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "failed to execute command: chdir /nonexistent-osapi-dir: no such file or directory");
}

TEST(CommandProvider, CM10_TimeoutKillsTheWholeProcessGroup) {
  osapi::testing::TempDir dir;
  const std::string pid_file = dir.file("bg.pid");
  auto req = shell("sleep 30 & echo $! > " + pid_file + "; wait");
  req.timeout_seconds = 1;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_command(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "command timed out after 1s");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));  // no hang
  const pid_t bg = std::stoi(osapi::testing::read_file(pid_file));
  for (int i = 0; i < 100 && alive(bg); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(alive(bg)) << "background child " << bg << " survived the timeout";
}

TEST(CommandProvider, OutputIsTruncatedAt256KiB) {
  auto r = run_command(shell("head -c 300000 /dev/zero | tr '\\0' a; echo err >&2"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->stdout_text.size(), kMaxCommandOutput + std::string("\n[truncated]").size());
  EXPECT_EQ(r->stdout_text.substr(kMaxCommandOutput), "\n[truncated]");
  EXPECT_EQ(r->stdout_text.substr(0, 3), "aaa");
  EXPECT_EQ(r->stderr_text, "err\n");
}

TEST(CommandProvider, InvalidUtf8OutputStaysValidJson) {
  auto r = run_command(shell("printf 'a\\377b'"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NO_THROW((void)to_json(*r).dump());
}

TEST(CommandProvider, FindExecutableFollowsPathAtCallTime) {
  osapi::testing::TempDir dir;
  dir.write("mytool", "#!/bin/sh\necho fake\n");
  ::chmod(dir.file("mytool").c_str(), 0755);
  const std::string old = getenv("PATH");
  EXPECT_EQ(find_executable("mytool"), "");
  setenv("PATH", (dir.path() + ":" + old).c_str(), 1);
  EXPECT_EQ(find_executable("mytool"), dir.file("mytool"));
  setenv("PATH", old.c_str(), 1);
  EXPECT_EQ(find_executable("/bin/sh"), "/bin/sh");
  EXPECT_EQ(find_executable("/nonexistent/x"), "");
}

TEST(CommandProvider, ParseJobData) {
  auto req = parse_command_data(
      ojson{{"command", "ls"}, {"args", {"-la"}}, {"cwd", "/tmp"}, {"timeout", 5}}, false);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->command, "ls");
  EXPECT_EQ(req->args, std::vector<std::string>{"-la"});
  EXPECT_EQ(req->cwd, "/tmp");
  EXPECT_EQ(req->timeout_seconds, 5);
  auto def = parse_command_data(ojson{{"command", "ls"}}, true);
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->timeout_seconds, 30);
  EXPECT_TRUE(def->shell);
  EXPECT_EQ(parse_command_data(ojson::object(), false).error().message, "missing command");
  EXPECT_FALSE(parse_command_data(ojson{{"command", "ls"}, {"args", "-la"}}, false).ok());
  EXPECT_FALSE(parse_command_data(ojson{{"command", "ls"}, {"args", {1}}}, false).ok());
  EXPECT_FALSE(parse_command_data(ojson{{"command", "ls"}, {"timeout", "x"}}, false).ok());
  EXPECT_FALSE(parse_command_data(ojson::array(), false).ok());
}
