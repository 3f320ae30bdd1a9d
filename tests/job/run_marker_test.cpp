#include <gtest/gtest.h>

#include "job/model.h"

namespace osapi::job {
namespace {

TEST(RunMarker, RoundTripsItsValue) {
  const auto m = parse_run_marker(run_marker_value("web-01", "0123abcd", 1796684529702490056));
  EXPECT_EQ(m.hostname, "web-01");
  EXPECT_EQ(m.machine_id, "0123abcd");
  EXPECT_EQ(m.unix_nano, 1796684529702490056);
}

TEST(RunMarker, FieldsOfTheWrongTypeAreEmptyNotAnException) {
  const auto m = parse_run_marker(R"({"hostname": 5, "machine_id": ["x"], "unix_nano": "1"})");
  EXPECT_EQ(m.hostname, "");
  EXPECT_EQ(m.machine_id, "");
  EXPECT_EQ(m.unix_nano, 0);
  for (const char* junk : {"", "null", "[1,2]", "{", "\"text\""})
    EXPECT_EQ(parse_run_marker(junk).hostname, "") << junk;
}

TEST(RunMarker, KeyUnderTheJobsRunsPrefix) {
  EXPECT_EQ(run_marker_key("j1", "web-01"), "runs.j1.web-01");
  EXPECT_EQ(runs_prefix("j1"), "runs.j1.");
}

}  // namespace
}  // namespace osapi::job
