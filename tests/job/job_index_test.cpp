// The job index: its state rules alone, then against a real nats-server with 100,000 jobs,
// deletes, writes made after it started, and a broker restart.
#include "job/job_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "common/ids.h"
#include "common/time.h"
#include "job/client.h"
#include "job/provision.h"
#include "process.h"

using namespace osapi;
using json = nlohmann::ordered_json;

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kBase = 1767225600 * kSecond;  // 2026-01-01T00:00:00Z

std::string submitted_key(const std::string& id, int64_t nano) {
  return "status." + id + ".submitted._api." + std::to_string(nano);
}
std::string event_key(const std::string& id, const std::string& event, const std::string& host,
                      int64_t nano) {
  return "status." + id + "." + event + "." + host + "." + std::to_string(nano);
}

std::vector<std::string> ids(const job::IndexPage& p) {
  std::vector<std::string> out;
  for (const auto& j : p.items) out.push_back(j.id);
  return out;
}

TEST(JobIndexState, OrdersNewestFirstAndFollowsEvents) {
  job::JobIndexState s;
  for (int i = 0; i < 3; ++i) {
    const std::string id = "job" + std::to_string(i);
    s.apply("jobs." + id, false, kBase);
    s.apply(submitted_key(id, kBase + i * kSecond), false, kBase);
  }
  auto p = s.page("", 0, 0);
  EXPECT_EQ(ids(p), (std::vector<std::string>{"job2", "job1", "job0"}));
  EXPECT_EQ(p.total_items, 3);
  EXPECT_EQ(p.status_counts["submitted"], 3);
  EXPECT_EQ(p.items[0].created_second, kBase / kSecond + 2);

  s.apply(event_key("job1", "started", "h1", kBase + 5 * kSecond), false, kBase);
  EXPECT_EQ(ids(s.page("processing", 0, 0)), (std::vector<std::string>{"job1"}));
  s.apply(event_key("job1", "completed", "h1", kBase + 6 * kSecond), false, kBase);
  s.apply("responses.job1.h1." + std::to_string(kBase + 6 * kSecond), false, kBase);
  p = s.page("completed", 0, 0);
  ASSERT_EQ(ids(p), (std::vector<std::string>{"job1"}));
  EXPECT_EQ(p.items[0].events.size(), 3u);
  EXPECT_EQ(p.items[0].responses.size(), 1u);
  EXPECT_EQ(p.status_counts["completed"], 1);
  EXPECT_EQ(p.status_counts["processing"], 0);
  EXPECT_EQ(p.status_counts["submitted"], 2);

  // Paging by offset and limit over the ordered set.
  EXPECT_EQ(ids(s.page("", 1, 1)), (std::vector<std::string>{"job1"}));
  EXPECT_EQ(ids(s.page("", 5, 2)), (std::vector<std::string>{"job0"}));
  EXPECT_TRUE(s.page("", 5, 3).items.empty());
  EXPECT_EQ(s.page("", 5, 3).total_items, 3);
  EXPECT_TRUE(s.page("failed", 0, 0).items.empty());

  // 3 records + 3 submitted events + 2 agent events + 1 response.
  EXPECT_EQ(s.counts().keys, 9);
  EXPECT_EQ(s.counts().total, 3);
}

TEST(JobIndexState, DeletesAndPurgesRemoveKeysAndJobs) {
  job::JobIndexState s;
  s.apply("jobs.a", false, kBase);
  s.apply(submitted_key("a", kBase), false, kBase);
  s.apply("jobs.b", false, kBase);
  // The record first: from then on the job no longer lists, though its events remain.
  s.apply("jobs.a", true, kBase);
  EXPECT_EQ(ids(s.page("", 0, 0)), (std::vector<std::string>{"b"}));
  EXPECT_EQ(s.counts().keys, 2);
  s.apply(submitted_key("a", kBase), true, kBase);
  EXPECT_EQ(s.counts().keys, 1);
  // Markers for keys never seen change nothing; a repeated put is one key.
  s.apply("jobs.zzz", true, kBase);
  s.apply("jobs.b", false, kBase + 1);
  EXPECT_EQ(s.counts().keys, 1);
  // Keys of other shapes are not jobs.
  s.apply("other.key", false, kBase);
  s.apply("status.x.y", false, kBase);
  EXPECT_EQ(s.counts().keys, 1);
}

TEST(JobIndexState, PruneDropsExpiredRecordsAndOrphans) {
  job::JobIndexState s;
  s.apply("jobs.old", false, kBase);
  s.apply("jobs.new", false, kBase + 100 * kSecond);
  s.apply(event_key("gone", "started", "h", kBase), false, kBase);  // events without a record
  s.prune(kBase + 50 * kSecond);
  EXPECT_EQ(ids(s.page("", 0, 0)), (std::vector<std::string>{"new"}));
  EXPECT_EQ(s.counts().keys, 1);
}

TEST(JobIndexState, WithoutSubmittedEventTheRecordWriteTimeOrders) {
  job::JobIndexState s;
  s.apply("jobs.early", false, kBase);
  s.apply("jobs.late", false, kBase + 10 * kSecond);
  EXPECT_EQ(ids(s.page("", 0, 0)), (std::vector<std::string>{"late", "early"}));
  // The submitted event, when it arrives, moves it.
  s.apply(submitted_key("early", kBase + 20 * kSecond), false, kBase);
  EXPECT_EQ(ids(s.page("", 0, 0)), (std::vector<std::string>{"early", "late"}));
}

class JobIndexLive : public ::testing::Test {
 protected:
  void SetUp() override {
    messaging::ConnectOptions o;
    o.url = nats_.url();
    auto c = messaging::Connection::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = *c;
    ASSERT_TRUE(job::provision(*conn_, cfg_, "osapi", true).ok());
    names_ = job::Names::from(cfg_, "osapi");
    kv_ = *conn_->key_value(names_.jobs_bucket);
    jobs_ = std::make_unique<job::JobClient>(conn_, kv_, names_);
  }

  // Record + submitted event of a job created at kBase + n ms, written without waiting.
  void put_async_job(const std::string& id, int64_t n) {
    job::JobRecord rec;
    rec.id = id;
    rec.created = rfc3339(from_unix_nano(kBase + n * 1'000'000));
    rec.subject = "osapi.jobs.query._any";
    rec.operation = json{{"type", "node.hostname.get"}};
    ASSERT_TRUE(kv_->put_async(job::job_key(id), rec.to_json().dump()).ok());
    job::StatusEvent e;
    e.job_id = id;
    e.event = "submitted";
    e.hostname = "_api";
    e.unix_nano = kBase + n * 1'000'000;
    ASSERT_TRUE(kv_->put_async(e.key(), e.to_json().dump()).ok());
  }

  void wait_stored(uint64_t values) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < until) {
      auto st = kv_->status();
      if (st.ok() && st->values >= values) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "the bucket never held " << values << " values";
  }

  osapi::testing::NatsServer nats_;
  config::Config cfg_;
  std::shared_ptr<messaging::Connection> conn_;
  job::Names names_;
  std::shared_ptr<messaging::KeyValue> kv_;
  std::unique_ptr<job::JobClient> jobs_;
};

TEST_F(JobIndexLive, HundredThousandJobsListPagedAndCounted) {
  constexpr int kJobs = 100'000;
  std::vector<std::string> all(kJobs);
  for (int i = 0; i < kJobs; ++i) {
    all[i] = uuid_v4();
    put_async_job(all[i], i);  // one per millisecond: 100 s of creation seconds
  }
  wait_stored(2 * kJobs);
  // A handful finished, so the filter and the counts have something to find.
  for (int i : {5, 50'000, 99'999}) {
    job::StatusEvent e;
    e.job_id = all[i];
    e.event = "completed";
    e.hostname = "h1";
    e.unix_nano = kBase + static_cast<int64_t>(i) * 1'000'000 + 1;
    ASSERT_TRUE(kv_->put(e.key(), e.to_json().dump()).ok());
  }

  auto first = jobs_->list("", 10, 0);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->total_items, kJobs);
  EXPECT_EQ(first->status_counts["submitted"], kJobs - 3);
  EXPECT_EQ(first->status_counts["completed"], 3);
  ASSERT_EQ(first->items.size(), 10u);
  // Newest second first; within a second, ids descending: the first page holds the last
  // second's jobs (99,990..99,999 ms are all in second 99).
  std::vector<std::string> last_second(all.begin() + 99'000, all.end());
  std::sort(last_second.rbegin(), last_second.rend());
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(first->items[i].record.id, last_second[i]) << i;

  // A deep page: second 0 (ids of jobs 0..999), the last ten of it.
  std::vector<std::string> second_zero(all.begin(), all.begin() + 1000);
  std::sort(second_zero.rbegin(), second_zero.rend());
  auto deep = jobs_->list("", 10, kJobs - 10);
  ASSERT_TRUE(deep.ok()) << deep.error().message;
  ASSERT_EQ(deep->items.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(deep->items[i].record.id, second_zero[990 + i]) << i;

  auto done = jobs_->list("completed", 10, 0);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->total_items, 3);
  ASSERT_EQ(done->items.size(), 3u);
  EXPECT_EQ(done->items[0].record.id, all[99'999]);
  EXPECT_EQ(done->items[2].record.id, all[5]);
}

TEST_F(JobIndexLive, WritesAfterStartAreListedAtOnceAndDeletesVanish) {
  auto first = jobs_->list("", 0, 0);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->total_items, 0);
  auto target = job::parse_target("_any");
  ASSERT_TRUE(target.ok());
  std::vector<std::string> submitted;
  for (int i = 0; i < 20; ++i) {
    auto sub = jobs_->submit(json{{"type", "node.hostname.get"}, {"data", json::object()}}, *target,
                             job::OpKind::kQuery);
    ASSERT_TRUE(sub.ok()) << sub.error().message;
    submitted.push_back(sub->job_id);
    // Read-your-writes: the job just submitted is in the very next list.
    auto now = jobs_->list("", 1, 0);
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(now->total_items, i + 1);
  }
  ASSERT_TRUE(jobs_->del(submitted[3]).ok());
  auto after = jobs_->list("", 0, 0);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->total_items, 19);
  for (const auto& v : after->items) EXPECT_NE(v.record.id, submitted[3]);
  auto index = jobs_->index();
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->counts().keys, 19 * 2);  // record + submitted event each
}

TEST_F(JobIndexLive, RebuildsAfterTheBrokerRestarts) {
  put_async_job(uuid_v4(), 1);
  wait_stored(2);
  auto before = jobs_->list("", 0, 0);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->total_items, 1);
  nats_.stop();
  nats_.start();
  // Writes made after the restart show up (the watch resumed or was rebuilt).
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int64_t seen = 0;
  bool written = false;
  auto target = job::parse_target("_any");
  ASSERT_TRUE(target.ok());
  while (std::chrono::steady_clock::now() < until && seen != 2) {
    if (!written)
      written = jobs_
                    ->submit(json{{"type", "node.hostname.get"}, {"data", json::object()}}, *target,
                             job::OpKind::kQuery)
                    .ok();
    auto r = jobs_->list("", 0, 0);
    if (r.ok()) seen = r->total_items;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(written);
  EXPECT_EQ(seen, 2);
}

}  // namespace
