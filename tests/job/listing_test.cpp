// Unit: key grouping, status from event keys, list order and paging.
#include "job/listing.h"

#include <gtest/gtest.h>

using namespace osapi::job;

namespace {

const std::string kA = "aaaaaaaa-0000-4000-8000-000000000001";
const std::string kB = "bbbbbbbb-0000-4000-8000-000000000002";

std::string ev(const std::string& id, const std::string& event, const std::string& host,
               int64_t ns) {
  return "status." + id + "." + event + "." + host + "." + std::to_string(ns);
}

}  // namespace

TEST(JobListing, GroupsKeysByJobAndIgnoresOtherShapes) {
  const auto groups =
      group_job_keys({"jobs." + kA, ev(kA, "submitted", "_api", 1000000000),
                      ev(kA, "completed", "web-01", 3), "responses." + kA + ".web-01.4",
                      ev(kB, "started", "db", 5), "jobs", "other.key", "status.x.y"});
  ASSERT_EQ(groups.size(), 2u);
  const auto& a = groups.at(kA);
  EXPECT_TRUE(a.has_record);
  EXPECT_EQ(a.submitted_unix_nano, 1000000000);
  EXPECT_EQ(a.events.size(), 2u);
  EXPECT_EQ(a.responses.size(), 1u);
  const auto& b = groups.at(kB);
  EXPECT_FALSE(b.has_record);  // events of a deleted job
  EXPECT_EQ(b.submitted_unix_nano, 0);
}

TEST(JobListing, StatusFromEventKeysFollowsComputeStatusRules) {
  EXPECT_EQ(status_from_event_keys({}), "submitted");
  EXPECT_EQ(status_from_event_keys({ev(kA, "submitted", "_api", 1)}), "submitted");
  EXPECT_EQ(status_from_event_keys({ev(kA, "acknowledged", "h1", 2)}), "processing");
  EXPECT_EQ(status_from_event_keys({ev(kA, "started", "h1", 2)}), "processing");
  EXPECT_EQ(status_from_event_keys({ev(kA, "started", "h1", 2), ev(kA, "completed", "h1", 3)}),
            "completed");
  EXPECT_EQ(status_from_event_keys({ev(kA, "failed", "h1", 3)}), "failed");
  EXPECT_EQ(status_from_event_keys({ev(kA, "completed", "h1", 3), ev(kA, "failed", "h2", 4)}),
            "partial_failure");
  // Keys arrive in key order; time order decides the latest event per host.
  EXPECT_EQ(status_from_event_keys({ev(kA, "completed", "h1", 9), ev(kA, "started", "h1", 2)}),
            "completed");
  EXPECT_EQ(status_from_event_keys({ev(kA, "failed", "h1", 3), ev(kA, "started", "h1", 10)}),
            "processing");
  // A retried event (by _api) does not change the computed status.
  EXPECT_EQ(status_from_event_keys({ev(kA, "failed", "h1", 3), ev(kA, "retried", "_api", 10)}),
            "failed");
  EXPECT_EQ(status_from_event_keys({"status.bad"}), "submitted");
  // The API's own failed event (the job was never queued) makes it failed until an agent
  // reports.
  EXPECT_EQ(status_from_event_keys({ev(kA, "submitted", "_api", 1), ev(kA, "failed", "_api", 2)}),
            "failed");
  EXPECT_EQ(status_from_event_keys({ev(kA, "failed", "_api", 2), ev(kA, "completed", "h1", 3)}),
            "completed");
  // skipped is terminal: alone it is the job's status, beside completed it counts as done.
  EXPECT_EQ(status_from_event_keys({ev(kA, "started", "h1", 2), ev(kA, "skipped", "h1", 3)}),
            "skipped");
  EXPECT_EQ(status_from_event_keys({ev(kA, "skipped", "h1", 3), ev(kA, "completed", "h2", 4)}),
            "completed");
  EXPECT_EQ(status_from_event_keys({ev(kA, "skipped", "h1", 3), ev(kA, "failed", "h2", 4)}),
            "failed");
  EXPECT_EQ(status_from_event_keys({ev(kA, "skipped", "h1", 3), ev(kA, "completed", "h2", 4),
                                    ev(kA, "failed", "h3", 5)}),
            "partial_failure");
}

TEST(JobListing, NewestFirstByCreatedThenId) {
  std::vector<ListEntry> entries = {{"b", "2026-01-01T00:00:01Z", ""},
                                    {"c", "2026-01-01T00:00:02Z", ""},
                                    {"a", "2026-01-01T00:00:01Z", ""},
                                    {"d", "2025-12-31T23:59:59Z", ""}};
  sort_newest_first(entries);
  std::vector<std::string> ids;
  for (const auto& e : entries) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"c", "b", "a", "d"}));
}

TEST(JobListing, PageLimitOffsetAndBeyondTotal) {
  std::vector<ListEntry> all;
  for (int i = 0; i < 7; ++i) all.push_back({std::to_string(i), "", ""});
  EXPECT_EQ(page_of(all, 3, 0).size(), 3u);
  EXPECT_EQ(page_of(all, 3, 0).front().id, "0");
  EXPECT_EQ(page_of(all, 3, 6).size(), 1u);
  EXPECT_EQ(page_of(all, 3, 6).front().id, "6");
  EXPECT_TRUE(page_of(all, 3, 7).empty());
  EXPECT_TRUE(page_of(all, 3, 100).empty());
  EXPECT_EQ(page_of(all, 0, 0).size(), 7u);  // 0 = all
  EXPECT_EQ(page_of(all, 0, 5).size(), 2u);
}

TEST(JobListing, KnownStatuses) {
  EXPECT_EQ(job_statuses().size(), 5u);
  EXPECT_TRUE(is_listable_status("partial_failure"));
  EXPECT_FALSE(is_listable_status("bogus"));
  EXPECT_FALSE(is_listable_status(""));
}
