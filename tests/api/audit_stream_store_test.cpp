// The audit log over the real JetStream audit stream (a nats-server per test): paging newest
// first by sequence ranges, get by id, export order, gaps from deleted and expired messages,
// and a burst of entries written without loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "api/audit.h"
#include "api/audit_stream_store.h"
#include "common/ids.h"
#include "job/provision.h"
#include "process.h"

using namespace osapi;
using namespace osapi::api;
using namespace std::chrono_literals;

namespace {

const std::string kStream = "osapi-AUDIT";
const std::string kSubject = "osapi.audit";

AuditEntry entry(int i) {
  AuditEntry e;
  e.id = uuid_v7();
  e.timestamp = "2026-02-26T22:41:07.123456Z";
  e.user = "ops@example.com";
  e.roles = {"admin"};
  e.method = "GET";
  e.path = "/p" + std::to_string(i);
  e.source_ip = "10.0.0.5";
  e.response_code = 200;
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  return e;
}

std::vector<std::string> paths(const AuditPage& page) {
  std::vector<std::string> out;
  for (const auto& e : page.items) out.push_back(e.path);
  return out;
}

std::vector<std::string> expected_paths(int from, int to_exclusive_desc) {
  std::vector<std::string> out;  // "/p<from>" down to "/p<to_exclusive_desc + 1>"
  for (int i = from; i > to_exclusive_desc; --i) out.push_back("/p" + std::to_string(i));
  return out;
}

class StreamAuditTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(const std::function<void(config::Config&)>& tweak) {
    config::Config cfg;
    cfg.nats.audit.storage = "memory";
    if (tweak) tweak(cfg);
    messaging::ConnectOptions o;
    o.url = nats_.url();
    auto c = messaging::Connection::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = *c;
    auto st = job::provision(*conn_, cfg, "osapi", true);
    ASSERT_TRUE(st.ok()) << st.error().message;
    auto store = StreamAuditStore::open(conn_, kStream, kSubject);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = *store;
    log_ = std::make_unique<AuditLog>(store_);
  }
  void TearDown() override {
    log_.reset();
    store_.reset();
    conn_.reset();
  }

  // Records entries /p0../p<n-1> (oldest first) and waits until they are stored.
  std::vector<AuditEntry> write(int n, int first = 0) {
    std::vector<AuditEntry> out;
    for (int i = first; i < first + n; ++i) {
      out.push_back(entry(i));
      log_->record(out.back());
    }
    EXPECT_TRUE(log_->flush(10s));
    return out;
  }

  osapi::testing::NatsServer nats_;
  std::shared_ptr<messaging::Connection> conn_;
  std::shared_ptr<StreamAuditStore> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(StreamAuditTest, EachEntryIsOneMessageOnItsOwnSubject) {
  const auto written = write(1);
  auto msg = conn_->last_stream_message(kStream, kSubject + "." + written[0].id);
  ASSERT_TRUE(msg.ok()) << msg.error().message;
  ASSERT_TRUE(msg->has_value());
  auto doc = nlohmann::json::parse((*msg)->data);
  EXPECT_EQ(doc["id"], written[0].id);
  EXPECT_EQ(doc["path"], "/p0");
  EXPECT_EQ(doc["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(doc["duration_ms"], 0);
  EXPECT_FALSE(doc.contains("operation_id"));
}

TEST_F(StreamAuditTest, ListPagesNewestFirstAcrossOffsets) {
  auto empty = log_->list(20, 0);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty->total_items, 0u);
  EXPECT_TRUE(empty->items.empty());

  write(45);
  auto p0 = log_->list(20, 0);
  auto p1 = log_->list(20, 20);
  auto p2 = log_->list(20, 40);
  ASSERT_TRUE(p0.ok() && p1.ok() && p2.ok());
  for (const auto* p : {&*p0, &*p1, &*p2}) EXPECT_EQ(p->total_items, 45u);
  EXPECT_EQ(paths(*p0), expected_paths(44, 24));
  EXPECT_EQ(paths(*p1), expected_paths(24, 4));
  EXPECT_EQ(paths(*p2), expected_paths(4, -1));

  EXPECT_EQ(paths(*log_->list(3, 1)), (std::vector<std::string>{"/p43", "/p42", "/p41"}));
  EXPECT_EQ(paths(*log_->list(100, 44)), (std::vector<std::string>{"/p0"}));
  EXPECT_EQ(log_->list(100, 0)->items.size(), 45u);
  for (size_t offset : {45u, 46u, 1000u}) {
    auto beyond = log_->list(20, offset);
    ASSERT_TRUE(beyond.ok());
    EXPECT_EQ(beyond->total_items, 45u);
    EXPECT_TRUE(beyond->items.empty()) << offset;
  }
  EXPECT_EQ(conn_->stream_info(kStream)->consumers, 0) << "page reads leave no consumer behind";
}

TEST_F(StreamAuditTest, GetByIdAndUnknownIds) {
  const auto written = write(5);
  auto e = log_->get(written[2].id);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->path, "/p2");
  EXPECT_EQ(e->roles, std::vector<std::string>{"admin"});
  EXPECT_EQ(e->source_ip, "10.0.0.5");
  for (const std::string& id :
       {uuid_v7(), std::string("a.b"), std::string("*"), std::string(">"), std::string("")}) {
    auto missing = log_->get(id);
    ASSERT_FALSE(missing.ok()) << id;
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound) << id;
  }
}

TEST_F(StreamAuditTest, ExportIsEveryEntryNewestFirst) {
  auto empty = log_->export_all();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->items.empty());
  write(300);  // more than one read batch
  auto all = log_->export_all();
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->total_items, 300u);
  EXPECT_EQ(paths(*all), expected_paths(299, -1));
}

// Messages removed by hand leave gaps: skipped, and pages still hold `limit` entries each.
TEST_F(StreamAuditTest, DeletedSequencesInsideAPageAreSkipped) {
  write(10);  // sequences 1..10 hold /p0../p9
  for (uint64_t seq : {9, 7, 10}) ASSERT_TRUE(conn_->delete_stream_message(kStream, seq).ok());
  auto page = log_->list(4, 0);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->total_items, 7u);
  EXPECT_EQ(paths(*page), (std::vector<std::string>{"/p7", "/p5", "/p4", "/p3"}));
  auto next = log_->list(4, 4);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(paths(*next), (std::vector<std::string>{"/p2", "/p1", "/p0"}));
  auto all = log_->export_all();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(paths(*all),
            (std::vector<std::string>{"/p7", "/p5", "/p4", "/p3", "/p2", "/p1", "/p0"}));
  ASSERT_TRUE(conn_->delete_stream_message(kStream, 1).ok());  // the oldest
  EXPECT_EQ(paths(*log_->list(20, 5)), (std::vector<std::string>{"/p1"}));
  EXPECT_TRUE(log_->list(20, 6)->items.empty());
}

TEST(AuditPageRange, CountsStoredSequencesNewestFirst) {
  using Range = std::optional<std::pair<uint64_t, uint64_t>>;
  auto range = [](uint64_t lo, uint64_t hi) { return Range(std::make_pair(lo, hi)); };
  const std::vector<uint64_t> none;
  EXPECT_EQ(page_range(1, 45, none, 0, 20), range(26, 45));
  EXPECT_EQ(page_range(1, 45, none, 40, 20), range(1, 5));
  EXPECT_EQ(page_range(1, 45, none, 45, 20), std::nullopt);
  EXPECT_EQ(page_range(11, 20, none, 0, 100), range(11, 20));  // expired front
  EXPECT_EQ(page_range(0, 0, none, 0, 20), std::nullopt);      // empty stream
  EXPECT_EQ(page_range(1, 10, none, 0, 0), std::nullopt);

  const std::vector<uint64_t> gaps = {7, 9, 10};  // stored: 1..6, 8
  EXPECT_EQ(page_range(1, 10, gaps, 0, 4), range(4, 8));
  EXPECT_EQ(page_range(1, 10, gaps, 1, 1), range(6, 6));
  EXPECT_EQ(page_range(1, 10, gaps, 4, 4), range(1, 3));
  EXPECT_EQ(page_range(1, 10, gaps, 6, 4), range(1, 1));
  EXPECT_EQ(page_range(1, 10, gaps, 7, 4), std::nullopt);
  EXPECT_EQ(page_range(2, 10, {2, 3, 100}, 0, 100), range(4, 10));
  EXPECT_EQ(page_range(5, 10, {5, 6, 7, 8, 9, 10}, 0, 1), std::nullopt);  // all gone
}

// max_age expires the oldest entries: the stream's first sequence moves, pages follow it.
TEST_F(StreamAuditTest, ExpiredEntriesLeaveTheLog) {
  TearDown();
  start([](config::Config& c) { c.nats.audit.max_age = 1s; });
  write(5);
  ASSERT_EQ(log_->list(20, 0)->total_items, 5u);
  bool expired = false;
  for (int i = 0; i < 60 && !expired; ++i) {
    std::this_thread::sleep_for(100ms);
    expired = conn_->stream_info(kStream)->messages == 0;
  }
  ASSERT_TRUE(expired);
  auto gone = log_->list(20, 0);
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  EXPECT_EQ(gone->total_items, 0u);
  EXPECT_TRUE(gone->items.empty());
  EXPECT_TRUE(log_->export_all()->items.empty());
  write(3, 5);  // sequences 6..8
  auto fresh = log_->list(2, 1);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->total_items, 3u);
  EXPECT_EQ(paths(*fresh), (std::vector<std::string>{"/p6", "/p5"}));
  EXPECT_TRUE(log_->list(20, 3)->items.empty());
}

// 2,000 entries queued as fast as a busy API would: every one stored, in order, none counted
// as failed, and no record() call waits for NATS.
TEST_F(StreamAuditTest, BurstOfTwoThousandEntriesIsStoredCompletely) {
  const uint64_t failures_before = audit_write_failures();
  constexpr int kEntries = 2000;
  std::vector<std::string> ids;
  ids.reserve(kEntries);
  std::chrono::nanoseconds slowest{0};
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kEntries; ++i) {
    auto e = entry(i);
    ids.push_back(e.id);
    const auto t0 = std::chrono::steady_clock::now();
    log_->record(std::move(e));
    slowest = std::max(slowest, std::chrono::steady_clock::now() - t0);
  }
  const auto queued = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(log_->flush(30s));
  const auto stored = std::chrono::steady_clock::now() - started;
  std::printf(
      "[ measure  ] %d entries queued in %.2f ms (slowest record() %.1f us), stored in "
      "%.1f ms\n",
      kEntries, std::chrono::duration<double, std::milli>(queued).count(),
      std::chrono::duration<double, std::micro>(slowest).count(),
      std::chrono::duration<double, std::milli>(stored).count());

  EXPECT_EQ(audit_write_failures(), failures_before);
  auto info = conn_->stream_info(kStream);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->messages, static_cast<uint64_t>(kEntries));
  auto all = log_->export_all();
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->total_items, static_cast<size_t>(kEntries));
  ASSERT_EQ(all->items.size(), static_cast<size_t>(kEntries));
  for (int i = 0; i < kEntries; ++i)  // newest first = reverse record order
    ASSERT_EQ(all->items[static_cast<size_t>(i)].id, ids[static_cast<size_t>(kEntries - 1 - i)]);
  EXPECT_TRUE(log_->get(ids[1234]).ok());
}

// Writes the stream refuses (here: no stream on the subject) are counted, never silent.
TEST_F(StreamAuditTest, RefusedWritesAreCountedAsFailures) {
  auto store = StreamAuditStore::open(conn_, "osapi-NOPE", "osapi.nope");
  ASSERT_TRUE(store.ok());
  AuditLog log(*store);
  const uint64_t before = audit_write_failures();
  for (int i = 0; i < 3; ++i) log.record(entry(i));
  ASSERT_TRUE(log.flush(10s));
  EXPECT_EQ(audit_write_failures(), before + 3);
  EXPECT_EQ(conn_->stream_info(kStream)->messages, 0u);
}

// The stream is gone or NATS is unreachable: reads fail (500 at the API), never "not found".
TEST_F(StreamAuditTest, StoreErrorsAreFailures) {
  auto missing = std::make_shared<AuditLog>(
      std::make_shared<StreamAuditStore>(conn_, nullptr, "osapi-NOPE", "osapi.nope"));
  EXPECT_FALSE(missing->list(20, 0).ok());
  EXPECT_FALSE(missing->export_all().ok());
  auto gone = missing->get(uuid_v7());
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().code, ErrorCode::kNotFound) << gone.error().message;
  missing.reset();

  // No connection at all (the API test stops the server and waits out the request timeouts).
  conn_->close();
  EXPECT_FALSE(log_->list(20, 0).ok());
  EXPECT_FALSE(log_->export_all().ok());
  auto one = log_->get(uuid_v7());
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.error().code, ErrorCode::kNotFound);
}

}  // namespace
