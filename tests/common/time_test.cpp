#include "common/time.h"

#include <gtest/gtest.h>

using namespace osapi;
using namespace std::chrono_literals;

TEST(Duration, ParsesGoSyntaxAndDays) {
  EXPECT_EQ(parse_duration("500ms").value(), 500ms);
  EXPECT_EQ(parse_duration("1h30m").value(), 90min);
  EXPECT_EQ(parse_duration("7d").value(), std::chrono::hours(168));
  EXPECT_EQ(parse_duration("1d12h").value(), std::chrono::hours(36));
  EXPECT_EQ(parse_duration("0").value(), 0ns);
  EXPECT_EQ(parse_duration("1.5s").value(), 1500ms);
  EXPECT_FALSE(parse_duration("bogus").ok());
  EXPECT_FALSE(parse_duration("").ok());
  EXPECT_FALSE(parse_duration("10").ok());
  EXPECT_FALSE(parse_duration("5x").ok());
}

TEST(Duration, FormatsLikeGo) {
  EXPECT_EQ(format_go_duration(0ns), "0s");
  EXPECT_EQ(format_go_duration(45s), "45s");
  EXPECT_EQ(format_go_duration(9000s), "2h30m0s");
  EXPECT_EQ(format_go_duration(std::chrono::seconds(26 * 3600 + 5)), "26h0m5s");
  EXPECT_EQ(format_go_duration(1234us), "1.234ms");
  EXPECT_EQ(format_go_duration(2500ms), "2.5s");
  EXPECT_EQ(format_go_duration(12ns), "12ns");
}

TEST(Time, Rfc3339Forms) {
  const auto t = from_unix_nano(1772145667200000000LL);  // 2026-02-26T22:41:07.2Z
  EXPECT_EQ(rfc3339(t), "2026-02-26T22:41:07Z");
  EXPECT_EQ(rfc3339_nano(t), "2026-02-26T22:41:07.2Z");
  EXPECT_EQ(rfc3339_nano(from_unix_nano(1772145667000000000LL)), "2026-02-26T22:41:07Z");
  Clock::time_point back;
  ASSERT_TRUE(parse_rfc3339("2026-02-26T22:41:07.2Z", back));
  EXPECT_EQ(unix_nano(back), 1772145667200000000LL);
  ASSERT_TRUE(parse_rfc3339("2026-02-26T23:41:07+01:00", back));
  EXPECT_EQ(unix_nano(back), 1772145667000000000LL);
  EXPECT_FALSE(parse_rfc3339("yesterday", back));
}

// Found by tests/fuzz/fuzz_job_message: a year past 2262 overflowed int64 nanoseconds (UB).
TEST(Time, Rfc3339OutOfNanosecondRangeIsRejected) {
  Clock::time_point back;
  EXPECT_FALSE(parse_rfc3339("6755-01-02T03:04:05.1Z", back));
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z", back));
  EXPECT_TRUE(parse_rfc3339("2262-01-01T00:00:00Z", back));
}
