#include "natsserver/restart_backoff.h"

#include <gtest/gtest.h>

namespace osapi::natsserver {
namespace {

using namespace std::chrono_literals;

TEST(RestartBackoffTest, PauseDoublesUpToTheCapThenGivesUp) {
  RestartBackoff b;
  b.child_exited(1s);
  EXPECT_EQ(b.next_pause(), 250ms);
  EXPECT_FALSE(b.exhausted());
  b.start_failed();
  EXPECT_EQ(b.next_pause(), 500ms);
  b.start_failed();
  EXPECT_EQ(b.next_pause(), 1000ms);
  b.start_failed();
  EXPECT_EQ(b.next_pause(), 2000ms);
  EXPECT_FALSE(b.exhausted());
  b.start_failed();
  EXPECT_TRUE(b.exhausted());
  EXPECT_EQ(b.failures(), RestartBackoff::kMaxFailures + 1);
}

TEST(RestartBackoffTest, PauseNeverExceedsTheCap) {
  RestartBackoff b;
  for (int i = 0; i < 40; ++i) b.start_failed();
  EXPECT_EQ(b.next_pause(), RestartBackoff::kMaxPause);
}

TEST(RestartBackoffTest, AChildThatStayedUpStartsTheCountAfresh) {
  RestartBackoff b;
  b.child_exited(1s);  // restarted, then died again soon: the count goes on
  b.child_exited(2s);
  EXPECT_EQ(b.failures(), 2);
  EXPECT_EQ(b.next_pause(), 500ms);
  b.child_exited(RestartBackoff::kStableAfter);
  EXPECT_EQ(b.failures(), 1);
  EXPECT_EQ(b.next_pause(), 250ms);
}

}  // namespace
}  // namespace osapi::natsserver
