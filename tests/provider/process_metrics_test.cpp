// The agent's own CPU and memory readings, and the "not supported here" error sentinel.
#include "provider/process_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "fixture.h"
#include "provider/unsupported.h"

using namespace osapi;
using namespace osapi::provider;
using osapi::provider::testing::FixtureRoot;

TEST(ProcessMetrics, ParsesStatWithAwkwardCommandName) {
  // comm holds spaces and a ')' — fields are counted from the last ')'.
  const std::string stat =
      "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 12345 "
      "1000000 500 18446744073709551615\n";
  auto t = parse_proc_stat(stat);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->cpu_ticks, 300u);
  EXPECT_EQ(t->start_ticks, 12345u);
  EXPECT_FALSE(parse_proc_stat("no parenthesis").ok());
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2").ok());
}

TEST(ProcessMetrics, SamplesAFixtureProcess) {
  FixtureRoot fx;
  fx.write("proc/self/stat", "1 (osapi) S 0 1 1 0 -1 0 0 0 0 0 100 100 0 0 20 0 1 0 0 0 0\n");
  fx.write("proc/self/statm", "1000 250 100 10 0 200 0\n");
  fx.write("proc/uptime", "40.00 80.00\n");
  auto s = sample_process(fx.paths());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->rss_bytes, 250 * ::sysconf(_SC_PAGESIZE));
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 200 / hz);
  EXPECT_DOUBLE_EQ(s->age_seconds, 40.0);  // started at boot
}

TEST(ProcessMetrics, CpuPercentBetweenSamples) {
  ProcessSample a{1.0, 10.0, 0};
  ProcessSample b{2.5, 20.0, 0};
  EXPECT_DOUBLE_EQ(cpu_percent(a, nullptr), 10.0);  // lifetime average
  EXPECT_DOUBLE_EQ(cpu_percent(b, &a), 15.0);       // 1.5 s of CPU in 10 s
  EXPECT_DOUBLE_EQ(cpu_percent(a, &a), 0.0);        // no time passed
}

TEST(ProcessMetrics, LiveProcess) {
  auto s = sample_process();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_GT(s->rss_bytes, 0);
  EXPECT_GE(s->cpu_seconds, 0);
}

TEST(Unsupported, SentinelSurvivesOnlyUnwrapped) {
  const Error e = unsupported_error("exec: \"x\": executable file not found in $PATH");
  EXPECT_TRUE(is_unsupported(e));
  EXPECT_TRUE(is_unsupported(unsupported_error()));
  EXPECT_EQ(unsupported_error().message, "operation not supported on this OS family");
  EXPECT_FALSE(is_unsupported(e.wrap("context")));
  EXPECT_FALSE(is_unsupported(Error(ErrorCode::kInternal, std::string(kUnsupportedMessage))));
  EXPECT_FALSE(is_unsupported(
      Error(ErrorCode::kUnavailable, std::string(kUnsupportedMessage) + "ly different")));
}
