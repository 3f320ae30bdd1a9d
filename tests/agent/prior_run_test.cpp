#include "agent/prior_run.h"

#include <gtest/gtest.h>

namespace osapi::agent {
namespace {

TEST(PriorRun, MarkerKeyIsPerHostOrOneForAnyAgent) {
  EXPECT_EQ(run_marker_key("j1", "web-01", false), "runs.j1.web-01");
  EXPECT_EQ(run_marker_key("j1", "web-01", true), "runs.j1._any");
}

}  // namespace
}  // namespace osapi::agent
