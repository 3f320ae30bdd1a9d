// ChildProcess with real children: the fd handed over as fd 3, exec failures reported at
// start, a clean signal mask, and the child killed when the thread that forked it exits.
#include "natsserver/child_process.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <thread>

#include "natsserver/config_fd.h"
#include "process.h"

namespace osapi::natsserver {
namespace {

using namespace std::chrono_literals;

bool wait_exited(ChildProcess& child, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child.exited()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return child.exited();
}

TEST(ChildProcessTest, PassedFdIsReadableAsDevFd3) {
  auto conf = ConfigFd::create("test.conf", "first line\nhello from memfd\n");
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  ChildProcess child;
  // Read twice by path: each open starts at offset 0, as nats-server may read it more than once.
  ASSERT_TRUE(
      child.start({"/bin/sh", "-c", "cat /dev/fd/3 >/dev/null && cat /dev/fd/3"}, conf->fd()).ok());
  ASSERT_TRUE(wait_exited(child, 30s));
  child.join_reader();
  EXPECT_EQ(child.exit_code(), 0) << child.exit_description();
  EXPECT_EQ(child.last_error_line(), "hello from memfd");
}

TEST(ChildProcessTest, ConfigFdIsOwnerOnlyAndSealed) {
  auto conf = ConfigFd::create("test.conf", "secret\n");
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  ChildProcess child;
  // An append through /dev/fd/3 that the write seal must refuse.
  ASSERT_TRUE(
      child
          .start({"/bin/sh", "-c",
                  "if echo x 2>/dev/null >>/dev/fd/3; then echo writable; else echo sealed; fi"},
                 conf->fd())
          .ok());
  ASSERT_TRUE(wait_exited(child, 30s));
  child.join_reader();
  EXPECT_EQ(child.last_error_line(), "sealed");
  auto probe = ConfigFd::create("probe.conf", "x");
  ASSERT_TRUE(probe.ok());
  ChildProcess mode;
  ASSERT_TRUE(mode.start({"/bin/sh", "-c", "stat -L -c %a /dev/fd/3"}, probe->fd()).ok());
  ASSERT_TRUE(wait_exited(mode, 30s));
  mode.join_reader();
  EXPECT_EQ(mode.last_error_line(), "600");
}

TEST(ChildProcessTest, MissingExecutableFailsAtStart) {
  ChildProcess child;
  auto st = child.start({"/nonexistent/osapi-no-such-binary"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("/nonexistent/osapi-no-such-binary"), std::string::npos);
  EXPECT_NE(st.error().message.find("No such file"), std::string::npos) << st.error().message;
  EXPECT_FALSE(ChildProcess().start({}).ok());
}

TEST(ChildProcessTest, ChildStartsWithNoBlockedSignals) {
  // The supervisor blocks SIGINT/SIGTERM in its own threads; the broker must still get them.
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old);
  ChildProcess child;
  const bool started = child.start({"/bin/sh", "-c", "grep SigBlk /proc/self/status"}).ok();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(started);
  ASSERT_TRUE(wait_exited(child, 30s));
  child.join_reader();
  EXPECT_EQ(child.last_error_line(), "SigBlk:\t0000000000000000");
}

TEST(ChildProcessTest, StopSendsSigtermThenReaps) {
  ChildProcess child;
  ASSERT_TRUE(child.start({"/bin/sleep", "600"}).ok());
  EXPECT_FALSE(child.exited());
  EXPECT_TRUE(child.stop(20s));
  child.join_reader();
  EXPECT_EQ(child.exit_description(), "signal 15");
  EXPECT_TRUE(osapi::testing::process_gone(child.pid()));
}

// The kernel delivers the parent-death signal when the forking *thread* exits, even though the
// process lives on: the reason the supervisor forks from the thread that outlives the child.
TEST(ChildProcessTest, ChildIsKilledWhenTheForkingThreadExits) {
  auto child = std::make_unique<ChildProcess>();
  bool started = false;
  std::thread([&] { started = child->start({"/bin/sleep", "600"}).ok(); }).join();
  ASSERT_TRUE(started);
  ASSERT_TRUE(wait_exited(*child, 30s)) << "child outlived the thread that forked it";
  child->join_reader();
  EXPECT_EQ(child->exit_description(), "signal 9");
}

}  // namespace
}  // namespace osapi::natsserver
