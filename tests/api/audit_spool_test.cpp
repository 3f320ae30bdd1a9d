// The audit log's backpressure and local spool: a full queue waits instead of dropping, a store
// that is down sends entries to the spool, the spool is replayed in order without duplicates
// (also by the next run), and a spool that cannot be written refuses mutating requests.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api/audit.h"
#include "api/audit_spool.h"
#include "api/authz.h"
#include "auth/jwt.h"
#include "common/ids.h"
#include "process.h"

using namespace osapi;
using namespace osapi::api;
namespace fs = std::filesystem;

namespace {

// Write order like the stream; can be "down" (every write fails, available() false), can lose
// acks (stores the entry but reports a timeout), and replay() stores an id at most once.
class FlakyStore : public AuditStore {
 public:
  std::vector<Status> put(const std::vector<AuditRecord>& batch) override {
    return write(batch, /*once=*/false);
  }
  std::vector<Status> replay(const std::vector<AuditRecord>& batch) override {
    replays += batch.size();
    return write(batch, /*once=*/true);
  }
  bool available() override { return !down.load(); }
  Result<AuditStorePage> newest(size_t, size_t) override { return AuditStorePage{}; }
  Result<AuditStorePage> all() override { return AuditStorePage{}; }
  Result<std::optional<std::string>> get(const std::string&) override {
    return std::optional<std::string>();
  }

  std::vector<std::string> ids() {
    std::lock_guard<std::mutex> lock(mu);
    return order;
  }
  size_t size() { return ids().size(); }

  std::atomic<bool> down{false};
  std::atomic<bool> lose_acks{false};
  std::atomic<bool> hold{false};  // put() waits while set
  std::atomic<bool> entered{false};
  std::atomic<size_t> replays{0};

 private:
  std::vector<Status> write(const std::vector<AuditRecord>& batch, bool once) {
    entered = true;
    while (hold.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::lock_guard<std::mutex> lock(mu);
    std::vector<Status> out;
    for (const auto& r : batch) {
      if (down) {
        out.emplace_back(Error(ErrorCode::kUnavailable, "store down"));
        continue;
      }
      if (!(once && stored.count(r.id))) {
        order.push_back(r.id);
        stored.insert(r.id);
      }
      if (lose_acks && !once)
        out.emplace_back(Error(ErrorCode::kTimeout, "no acknowledgement"));
      else
        out.push_back(Status::Ok());
    }
    return out;
  }

  std::mutex mu;
  std::vector<std::string> order;
  std::set<std::string> stored;
};

AuditEntry entry(int i) {
  AuditEntry e;
  e.id = uuid_v7();
  e.timestamp = "2026-02-26T22:41:07.123456Z";
  e.user = "ops@example.com";
  e.method = "GET";
  e.path = "/p/" + std::to_string(i);
  e.response_code = 200;
  return e;
}

AuditLogOptions spooled(const std::string& dir) {
  AuditLogOptions o;
  o.spool_dir = dir;
  o.replay_interval = std::chrono::milliseconds(50);
  return o;
}

size_t segment_files(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec))
    if (f.path().extension() == ".jsonl") ++n;
  return n;
}

bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace

TEST(AuditSpool, AppendsDurablyPrivateFilesInOrderAndIgnoresATornLine) {
  osapi::testing::TempDir tmp;
  const std::string dir = tmp.file("a/b/spool");
  {
    AuditSpool spool(dir);
    EXPECT_EQ(spool.pending(), 0u);
    EXPECT_FALSE(fs::exists(dir)) << "created on first use only";
    ASSERT_TRUE(spool.append({{"1", R"({"id":"1"})"}, {"2", R"({"id":"2"})"}}).ok());
    ASSERT_TRUE(spool.append({{"3", R"({"id":"3"})"}}).ok());
    EXPECT_EQ(spool.pending(), 3u);
  }
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(segment_files(dir), 1u);
  for (const auto& f : fs::directory_iterator(dir)) {
    ASSERT_EQ(::stat(f.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // A crash in the middle of a write leaves a line without its newline.
    std::ofstream(f.path(), std::ios::app) << R"({"id":"4","pa)";
  }

  AuditSpool again(dir);  // a later run counts what is left
  EXPECT_EQ(again.pending(), 3u);
  ASSERT_TRUE(again.append({{"5", R"({"id":"5"})"}}).ok());  // into a new segment
  const auto segments = again.seal();
  ASSERT_EQ(segments.size(), 2u);
  std::vector<std::string> ids;
  for (const auto& s : segments) {
    auto records = AuditSpool::read_segment(s);
    ASSERT_TRUE(records.ok());
    for (const auto& r : *records) ids.push_back(r.id);
    ASSERT_TRUE(again.remove(s, records->size()).ok());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3", "5"}));
  EXPECT_EQ(again.pending(), 0u);
  EXPECT_EQ(segment_files(dir), 0u);
}

// A full queue holds record() back until the writer makes room: nothing is dropped.
TEST(AuditWriter, FullQueueWaitsInsteadOfDropping) {
  osapi::testing::TempDir tmp;
  auto store = std::make_shared<FlakyStore>();
  AuditLogOptions o = spooled(tmp.file("spool"));
  o.max_pending = 2;
  o.max_wait = std::chrono::seconds(30);
  AuditLog log(store, o);
  const uint64_t before = audit_write_failures();
  store->hold = true;
  std::vector<std::string> ids;
  auto first = entry(0);
  ids.push_back(first.id);
  ASSERT_TRUE(log.record(first));
  ASSERT_TRUE(eventually([&] { return store->entered.load(); }));
  std::atomic<int> recorded{0};
  std::vector<AuditEntry> rest;
  for (int i = 1; i <= 5; ++i) {
    rest.push_back(entry(i));
    ids.push_back(rest.back().id);
  }
  std::thread requests([&] {
    for (auto& e : rest) {
      EXPECT_TRUE(log.record(e));
      ++recorded;
    }
  });
  // Two fit in the queue; the third waits for room while the store holds the first write.
  ASSERT_TRUE(eventually([&] { return recorded.load() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(recorded.load(), 2);
  store->hold = false;
  requests.join();
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  EXPECT_EQ(store->ids(), ids);
  EXPECT_EQ(audit_write_failures(), before);
  EXPECT_EQ(log.spooled(), 0u);
}

// Past max_wait the request thread spools its entry itself; the replay stores it.
TEST(AuditWriter, QueueFullPastTheWaitGoesToTheSpool) {
  osapi::testing::TempDir tmp;
  auto store = std::make_shared<FlakyStore>();
  AuditLogOptions o = spooled(tmp.file("spool"));
  o.max_pending = 1;
  o.max_wait = std::chrono::milliseconds(20);
  AuditLog log(store, o);
  const uint64_t before = audit_write_failures();
  store->hold = true;
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    auto e = entry(i);
    ids.insert(e.id);
    ASSERT_TRUE(log.record(e));
    if (i == 0) {
      ASSERT_TRUE(eventually([&] { return store->entered.load(); }));
    }
  }
  EXPECT_GT(log.spooled(), 0u);
  store->hold = false;
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  const auto stored = store->ids();
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()), ids);
  EXPECT_EQ(stored.size(), ids.size()) << "no duplicates";
  EXPECT_EQ(log.spooled(), 0u);
  EXPECT_EQ(segment_files(o.spool_dir), 0u);
  EXPECT_EQ(audit_write_failures(), before);
}

// Store down: entries go to the spool; back up: replayed in record order, spool emptied, and an
// entry whose ack was lost (stored, reported failed) is not stored twice.
TEST(AuditWriter, OutageSpoolsThenReplaysInOrderWithoutDuplicates) {
  osapi::testing::TempDir tmp;
  auto store = std::make_shared<FlakyStore>();
  AuditLog log(store, spooled(tmp.file("spool")));
  const uint64_t before = audit_write_failures();
  std::vector<std::string> ids;
  store->lose_acks = true;  // stored, but the writer is told it failed
  auto lost_ack = entry(0);
  ids.push_back(lost_ack.id);
  log.record(lost_ack);
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  store->lose_acks = false;
  store->down = true;
  for (int i = 1; i <= 30; ++i) {
    auto e = entry(i);
    ids.push_back(e.id);
    ASSERT_TRUE(log.record(e));
  }
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));  // idle: nothing can be replayed now
  EXPECT_EQ(log.spooled(), 30u);
  EXPECT_EQ(store->size(), 1u);
  EXPECT_TRUE(log.writable());
  store->down = false;
  ASSERT_TRUE(eventually([&] { return log.spooled() == 0; }));
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  EXPECT_EQ(store->ids(), ids);
  EXPECT_EQ(segment_files(tmp.file("spool")), 0u);
  EXPECT_EQ(audit_write_failures(), before);
  // Entries after the replay go straight to the store again.
  auto after = entry(99);
  log.record(after);
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  EXPECT_EQ(store->ids().back(), after.id);
  EXPECT_EQ(segment_files(tmp.file("spool")), 0u);
}

// What one run spooled (and what was still queued at shutdown) the next run replays at start.
TEST(AuditWriter, NextRunReplaysTheSpoolAtStart) {
  osapi::testing::TempDir tmp;
  const std::string dir = tmp.file("spool");
  std::vector<std::string> ids;
  {
    auto down = std::make_shared<FlakyStore>();
    down->down = true;
    AuditLog log(down, spooled(dir));
    for (int i = 0; i < 10; ++i) {
      auto e = entry(i);
      ids.push_back(e.id);
      ASSERT_TRUE(log.record(e));
    }
    log.shutdown(std::chrono::seconds(5));
    EXPECT_EQ(down->size(), 0u);
  }
  ASSERT_GE(segment_files(dir), 1u);
  auto store = std::make_shared<FlakyStore>();
  AuditLog log(store, spooled(dir));
  ASSERT_TRUE(eventually([&] { return log.spooled() == 0; }));
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  EXPECT_EQ(store->ids(), ids);
  EXPECT_EQ(segment_files(dir), 0u);
}

// Store down and the spool unwritable: the entry is lost loudly, writable() turns false and a
// mutating request is refused before it acts; reads go on. A later good write clears it.
TEST(AuditWriter, UnwritableSpoolRefusesMutatingRequests) {
  osapi::testing::TempDir tmp;
  const std::string blocker = tmp.write("not-a-dir", "x");
  auto store = std::make_shared<FlakyStore>();
  store->down = true;
  auto log = std::make_shared<AuditLog>(store, spooled(blocker + "/spool"));
  const uint64_t before = audit_write_failures();
  ASSERT_TRUE(log->record(entry(0)));  // queued; the writer then fails to spool it
  ASSERT_TRUE(log->flush(std::chrono::seconds(10)));
  EXPECT_EQ(audit_write_failures(), before + 1);
  EXPECT_FALSE(log->writable());

  ApiContext ctx;
  ctx.cfg.controller.api.signing_key = "spool-test-signing-key-0123456789abcdef";
  ctx.audit = log;
  const std::string token =
      auth::sign(auth::generate_claims({"admin"}, "ops", {}), ctx.cfg.controller.api.signing_key);
  auto call = [&](const std::string& method) {
    http::Request req;
    req.method = method;
    req.path = "/api/job";
    req.headers.emplace_back("Authorization", "Bearer " + token);
    return authorize(req, ctx, "job:write");
  };
  auto refused = call("POST");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->body.find("audit log unavailable"), std::string::npos) << refused->body;
  EXPECT_FALSE(call("GET").has_value());

  store->down = false;  // a write that succeeds clears the state
  ASSERT_TRUE(log->record(entry(1)));
  ASSERT_TRUE(log->flush(std::chrono::seconds(10)));
  EXPECT_TRUE(log->writable());
  EXPECT_FALSE(call("POST").has_value());
}
