// Commands never outlive their runner: a SIGKILL of the process that runs them takes the
// command and everything it started; ProcessGroups::kill_all ends running ones and refuses new
// ones; a command that finishes normally leaves what it put in the background alone.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "process.h"
#include "provider/command.h"

using namespace osapi;
using namespace osapi::provider;
using namespace std::chrono_literals;

namespace {

CommandRequest shell(std::string script, int timeout = 300) {
  CommandRequest r;
  r.command = std::move(script);
  r.shell = true;
  r.timeout_seconds = timeout;
  return r;
}

// Exited (a zombie counts: an orphan waits for whoever adopted it to reap it).
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = osapi::testing::read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

template <typename Cond>
bool eventually(Cond cond, std::chrono::milliseconds timeout = 10s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

pid_t read_pid(const std::string& file) {
  pid_t pid = 0;
  eventually([&] {
    const std::string text = osapi::testing::read_file(file);
    if (text.empty() || text.back() != '\n') return false;
    pid = std::stoi(text);
    return true;
  });
  return pid;
}

off_t size_of(const std::string& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? st.st_size : -1;
}

// Writes its pid and a background child's, then appends a line every 100 ms.
std::string ticking_script(const osapi::testing::TempDir& dir) {
  return "sleep 300 & echo $! > " + dir.file("bg.pid") + "; echo $$ > " + dir.file("cmd.pid") +
         "; while :; do echo tick >> " + dir.file("ticks") + "; sleep 0.1; done";
}

}  // namespace

TEST(CommandLifetime, CommandAndItsGroupDieWithTheRunner) {
  osapi::testing::TempDir dir;
  const std::string script = ticking_script(dir);
  // The forked copy of this test process stands in for the agent.
  const pid_t runner = ::fork();
  ASSERT_GE(runner, 0);
  if (runner == 0) {
    (void)run_command(shell(script));
    ::_exit(0);
  }
  const pid_t cmd = read_pid(dir.file("cmd.pid"));
  const pid_t bg = read_pid(dir.file("bg.pid"));
  ASSERT_GT(cmd, 0);
  ASSERT_GT(bg, 0);
  ASSERT_TRUE(eventually([&] { return size_of(dir.file("ticks")) > 0; }));

  ::kill(runner, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(runner, &status, 0), runner);
  EXPECT_TRUE(eventually([&] { return gone(cmd); })) << "command " << cmd << " outlived its runner";
  EXPECT_TRUE(eventually([&] { return gone(bg); })) << "its child " << bg << " outlived the runner";
  const off_t after = size_of(dir.file("ticks"));
  std::this_thread::sleep_for(500ms);  // five ticks' worth
  EXPECT_EQ(size_of(dir.file("ticks")), after) << "the script still runs";
}

TEST(CommandLifetime, KillAllEndsRunningCommandsAndRefusesNewOnes) {
  osapi::testing::TempDir dir;
  ProcessGroups groups;
  auto req = shell(ticking_script(dir));
  req.groups = &groups;
  auto running = std::async(std::launch::async, [&] { return run_command(req); });
  const pid_t cmd = read_pid(dir.file("cmd.pid"));
  const pid_t bg = read_pid(dir.file("bg.pid"));
  ASSERT_GT(cmd, 0);
  ASSERT_GT(bg, 0);
  EXPECT_EQ(groups.running(), 1u);

  EXPECT_EQ(groups.kill_all(), 1u);
  ASSERT_EQ(running.wait_for(20s), std::future_status::ready);
  auto r = running.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "command killed: agent is stopping");
  EXPECT_TRUE(eventually([&] { return gone(cmd) && gone(bg); }));
  EXPECT_EQ(groups.running(), 0u);

  auto late = shell("touch " + dir.file("late"));
  late.groups = &groups;
  auto refused = run_command(late);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "command killed: agent is stopping");
  EXPECT_EQ(size_of(dir.file("late")), -1) << "a command started after kill_all()";
}

TEST(CommandLifetime, FinishedCommandLeavesItsBackgroundChildrenAndNoHelpers) {
  osapi::testing::TempDir dir;
  ProcessGroups groups;
  auto req = shell("sleep 300 >/dev/null 2>&1 & echo $! > " + dir.file("bg.pid"));
  req.groups = &groups;
  auto r = run_command(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  const pid_t bg = read_pid(dir.file("bg.pid"));
  ASSERT_GT(bg, 0);
  EXPECT_FALSE(gone(bg)) << "a finished command's daemon was killed";
  EXPECT_EQ(groups.running(), 0u);
  // The command and its guard are both reaped: this process has no children left.
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  ::kill(bg, SIGKILL);
}
