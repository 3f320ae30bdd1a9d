#include "provider/format.h"

#include <gtest/gtest.h>

#include <limits>

using namespace osapi::provider;

// Acceptance NS-6.
TEST(Format, UptimeText) {
  const std::pair<int64_t, const char*> cases[] = {
      {0, "0 days, 0 hours, 0 minutes"},       {60, "0 days, 0 hours, 1 minute"},
      {3600, "0 days, 1 hour, 0 minutes"},     {86400, "1 day, 0 hours, 0 minutes"},
      {90060, "1 day, 1 hour, 1 minute"},      {350735, "4 days, 1 hour, 25 minutes"},
      {180120, "2 days, 2 hours, 2 minutes"},  {3540, "0 days, 0 hours, 59 minutes"},
      {86340, "0 days, 23 hours, 59 minutes"},
  };
  for (const auto& [secs, text] : cases) EXPECT_EQ(uptime_text(secs), text) << secs;
  EXPECT_EQ(uptime_text(-5), "0 days, 0 hours, 0 minutes");
}

// Acceptance NS-7.
TEST(Format, ClampToInt64) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(clamp_to_int64(0), 0);
  EXPECT_EQ(clamp_to_int64(12345), 12345);
  EXPECT_EQ(clamp_to_int64(static_cast<uint64_t>(kMax)), kMax);
  EXPECT_EQ(clamp_to_int64(static_cast<uint64_t>(kMax) + 1), kMax);
  EXPECT_EQ(clamp_to_int64(std::numeric_limits<uint64_t>::max()), kMax);
}
