#include "config/config.h"

#include <gtest/gtest.h>

namespace osapi::config {
namespace {

TEST(Namespace, EmptyNamespaceLeavesNamesUnchanged) {
  EXPECT_EQ(ns_name("", "JOBS"), "JOBS");
  EXPECT_EQ(ns_subject("", "jobs.>"), "jobs.>");
}

TEST(Namespace, PrefixesNamesAndSubjects) {
  EXPECT_EQ(ns_name("osapi", "JOBS"), "osapi-JOBS");
  EXPECT_EQ(ns_name("osapi", "job-queue"), "osapi-job-queue");
  EXPECT_EQ(ns_subject("osapi", "jobs.>"), "osapi.jobs.>");
  EXPECT_EQ(ns_subject("osapi", "jobs.query._any"), "osapi.jobs.query._any");
}

}  // namespace
}  // namespace osapi::config
