#include "agent/unsent_answers.h"

#include <gtest/gtest.h>

#include <string>

namespace osapi::agent {
namespace {

JobAnswer answer(const std::string& status) {
  return JobAnswer{status, {{"duration_ms", 1}}, status, {{"stdout", "x"}}, ""};
}

TEST(UnsentAnswers, TakeReturnsTheKeptAnswerOnce) {
  UnsentAnswers u;
  u.keep("job-1", answer("completed"));
  auto got = u.take("job-1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, "completed");
  EXPECT_EQ(got->data["stdout"], "x");
  EXPECT_FALSE(u.take("job-1"));
  EXPECT_FALSE(u.take("job-2"));
  EXPECT_EQ(u.size(), 0u);
}

TEST(UnsentAnswers, KeepingAgainReplacesTheAnswer) {
  UnsentAnswers u;
  u.keep("job-1", answer("completed"));
  u.keep("job-1", answer("failed"));
  EXPECT_EQ(u.size(), 1u);
  EXPECT_EQ(u.take("job-1")->status, "failed");
}

TEST(UnsentAnswers, OldestAnswerGoesFirstPastCapacity) {
  UnsentAnswers u(2);
  u.keep("a", answer("completed"));
  u.keep("b", answer("completed"));
  u.keep("c", answer("completed"));
  EXPECT_EQ(u.size(), 2u);
  EXPECT_FALSE(u.take("a"));
  EXPECT_TRUE(u.take("b"));
  EXPECT_TRUE(u.take("c"));
}

TEST(UnsentAnswers, TakenIdsDoNotCountAgainstCapacity) {
  UnsentAnswers u(2);
  u.keep("kept", answer("completed"));
  for (int i = 0; i < 100; ++i) {
    const std::string id = "j" + std::to_string(i);
    u.keep(id, answer("completed"));
    ASSERT_TRUE(u.take(id)) << i;
  }
  EXPECT_EQ(u.size(), 1u);
  EXPECT_TRUE(u.take("kept"));
}

}  // namespace
}  // namespace osapi::agent
