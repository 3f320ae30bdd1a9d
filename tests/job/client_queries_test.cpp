// Integration: JobClient list / record / delete / retry against a real nats-server.
// Jobs are written straight into the KV bucket so created times and events are exact.
#include <gtest/gtest.h>

#include <map>

#include "common/ids.h"
#include "job/client.h"
#include "job/listing.h"
#include "job/provision.h"
#include "process.h"

using namespace osapi;
using json = nlohmann::ordered_json;

namespace {

constexpr int64_t kSecond = 1000000000;
constexpr int64_t kBase = 1767225600 * kSecond;  // 2026-01-01T00:00:00Z

class JobQueries : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* n : {&cfg_.controller.nats, &cfg_.agent.nats}) {
      n->host = "127.0.0.1";
      n->port = nats_.port();
      n->namespace_ = "osapi";
    }
    cfg_.nats.server.namespace_ = "osapi";
    messaging::ConnectOptions o;
    o.url = nats_.url();
    auto c = messaging::Connection::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = *c;
    auto st = job::provision(*conn_, cfg_, "osapi", true);
    ASSERT_TRUE(st.ok()) << st.error().message;
    names_ = job::Names::from(cfg_, "osapi");
    kv_ = *conn_->key_value(names_.jobs_bucket);
    jobs_ = std::make_unique<job::JobClient>(conn_, kv_, names_);
  }

  // A job created at kBase + second s with the given agent events (host, event, offset ns).
  std::string put_job(int s, const std::vector<std::pair<std::string, std::string>>& events = {},
                      const json& operation = json{{"type", "node.hostname.get"}},
                      bool submitted_event = true) {
    const std::string id = uuid_v4();
    const int64_t created = kBase + s * kSecond;
    job::JobRecord rec;
    rec.id = id;
    rec.created = rfc3339(from_unix_nano(created));
    rec.subject = "osapi.jobs.query._any";
    rec.operation = operation;
    rec.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    EXPECT_TRUE(kv_->put(job::job_key(id), rec.to_json().dump()).ok());
    int64_t t = created;
    auto put_event = [&](const std::string& host, const std::string& event) {
      job::StatusEvent e;
      e.job_id = id;
      e.event = event;
      e.hostname = host;
      e.unix_nano = t++;
      if (event == "failed") e.data = json{{"error", "boom"}};
      EXPECT_TRUE(kv_->put(e.key(), e.to_json().dump()).ok());
    };
    if (submitted_event) put_event("_api", "submitted");
    for (const auto& [host, event] : events) {
      put_event(host, event);
      if (event == "completed" || event == "failed") {
        job::JobResponse r;
        r.job_id = id;
        r.status = event;
        r.hostname = host;
        r.unix_nano = t++;
        if (event == "completed") r.data = json{{"hostname", host}};
        EXPECT_TRUE(kv_->put(r.key(), r.to_json().dump()).ok());
      }
    }
    return id;
  }

  osapi::testing::NatsServer nats_;
  config::Config cfg_;
  std::shared_ptr<messaging::Connection> conn_;
  std::shared_ptr<messaging::KeyValue> kv_;
  job::Names names_;
  std::unique_ptr<job::JobClient> jobs_;
};

std::vector<std::string> ids_of(const job::JobPage& page) {
  std::vector<std::string> out;
  for (const auto& v : page.items) out.push_back(v.record.id);
  return out;
}

}  // namespace

TEST_F(JobQueries, ListIsNewestFirstWithLimitAndOffset) {
  std::vector<std::string> ids;
  for (int s = 0; s < 5; ++s) ids.push_back(put_job(s, {{"web-01", "completed"}}));
  auto all = jobs_->list("", 0, 0);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->total_items, 5);
  EXPECT_EQ(ids_of(*all), (std::vector<std::string>{ids[4], ids[3], ids[2], ids[1], ids[0]}));
  EXPECT_EQ(all->items[0].status, "completed");
  EXPECT_EQ(all->items[0].result, (json{{"hostname", "web-01"}}));

  auto page = jobs_->list("", 2, 1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_items, 5);
  EXPECT_EQ(ids_of(*page), (std::vector<std::string>{ids[3], ids[2]}));

  auto beyond = jobs_->list("", 10, 5);
  ASSERT_TRUE(beyond.ok());
  EXPECT_EQ(beyond->total_items, 5);  // total kept
  EXPECT_TRUE(beyond->items.empty());
}

TEST_F(JobQueries, ListStatusFilterCountsOnlyMatches) {
  const auto done1 = put_job(1, {{"h1", "completed"}});
  put_job(2, {{"h1", "failed"}});
  const auto done2 = put_job(3, {{"h1", "started"}, {"h1", "completed"}});
  put_job(4, {{"h1", "started"}});
  put_job(5, {{"h1", "completed"}, {"h2", "failed"}});
  put_job(6);

  auto completed = jobs_->list("completed", 10, 0);
  ASSERT_TRUE(completed.ok());
  EXPECT_EQ(completed->total_items, 2);
  EXPECT_EQ(ids_of(*completed), (std::vector<std::string>{done2, done1}));
  auto one = jobs_->list("completed", 1, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->total_items, 2);
  EXPECT_EQ(ids_of(*one), (std::vector<std::string>{done1}));
  for (const auto& [status, n] : std::vector<std::pair<std::string, int64_t>>{
           {"failed", 1}, {"processing", 1}, {"partial_failure", 1}, {"submitted", 1}}) {
    auto r = jobs_->list(status, 10, 0);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->total_items, n) << status;
    ASSERT_EQ(r->items.size(), 1u) << status;
    EXPECT_EQ(r->items[0].status, status);
  }
}

TEST_F(JobQueries, ListUsesTheRecordWhenNoSubmittedEventExists) {
  const auto newer = put_job(9, {}, json{{"type", "node.hostname.get"}}, false);
  const auto older = put_job(1);
  auto r = jobs_->list("", 0, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ids_of(*r), (std::vector<std::string>{newer, older}));
}

TEST_F(JobQueries, ListCountsEveryStatusWhateverTheFilter) {
  put_job(1, {{"h1", "completed"}});
  put_job(2, {{"h1", "completed"}}, json{{"type", "command.exec.execute"}});
  put_job(3, {{"h1", "failed"}});
  auto page = jobs_->list("failed", 10, 0);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->total_items, 1);
  ASSERT_EQ(page->items.size(), 1u);
  const std::map<std::string, int64_t> expected{
      {"submitted", 0}, {"processing", 0}, {"completed", 2}, {"failed", 1}, {"partial_failure", 0}};
  EXPECT_EQ(page->status_counts, expected);
}

TEST_F(JobQueries, ListOfAnEmptyQueueStillCountsEveryStatus) {
  auto page = jobs_->list("", 10, 0);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->total_items, 0);
  EXPECT_EQ(page->status_counts.size(), 5u);
  for (const auto& [status, n] : page->status_counts) EXPECT_EQ(n, 0) << status;
}

TEST_F(JobQueries, DeleteRemovesRecordEventsAndResponses) {
  const auto keep = put_job(1, {{"h1", "completed"}});
  const auto gone = put_job(2, {{"h1", "completed"}});
  ASSERT_TRUE(jobs_->del(gone).ok());
  auto keys = kv_->keys(">");
  ASSERT_TRUE(keys.ok());
  for (const auto& k : *keys) EXPECT_EQ(k.find(gone), std::string::npos) << k;
  EXPECT_EQ(jobs_->get(gone).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(jobs_->get(keep).ok());
  auto again = jobs_->del(gone);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(again.error().message, "job not found: " + gone);
}

TEST_F(JobQueries, RetryCreatesNewJobAndRecordsRetriedEvent) {
  const auto original = put_job(1, {{"h1", "failed"}});
  auto target = job::parse_target("_any");
  ASSERT_TRUE(target.ok());
  auto sub = jobs_->retry(original, *target);
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_NE(sub->job_id, original);
  EXPECT_EQ(sub->subject, "osapi.jobs.query._any");

  auto fresh = jobs_->get(sub->job_id);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->record.operation, (json{{"type", "node.hostname.get"}}));
  EXPECT_EQ(fresh->status, "submitted");

  auto old = jobs_->get(original);
  ASSERT_TRUE(old.ok());
  ASSERT_FALSE(old->timeline.empty());
  EXPECT_EQ(old->timeline.back().event, "retried");
  EXPECT_EQ(old->timeline.back().hostname, "_api");
  EXPECT_EQ(old->timeline.back().message, "Job retried as " + sub->job_id);
  EXPECT_EQ(old->status, "failed");  // a retry does not change the original's status
}

TEST_F(JobQueries, RetryErrors) {
  auto target = *job::parse_target("_any");
  auto missing = jobs_->retry(uuid_v4(), target);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  const auto no_op = put_job(1, {}, json());
  auto r = jobs_->retry(no_op, target);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "job has no operation data: " + no_op);
}

TEST_F(JobQueries, RecordReadsTheStoredOperation) {
  const auto id = put_job(1, {}, json{{"type", "command.shell.execute"}});
  auto rec = jobs_->record(id);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_EQ(rec->type(), "command.shell.execute");
  auto missing = jobs_->record(uuid_v4());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(JobQueries, DetailJsonCarriesTraceId) {
  const auto id = put_job(1);
  auto v = jobs_->get(id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(job::to_detail_json(*v)["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  v->record.traceparent = "garbage";
  EXPECT_FALSE(job::to_detail_json(*v).contains("trace_id"));
}
