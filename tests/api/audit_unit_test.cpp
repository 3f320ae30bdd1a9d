// Audit log units: the list/get/export logic over an in-memory store, the bounded batching
// writer, and the middleware's rules, with a stub handler in place of the router.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>

#include "api/audit.h"
#include "api/audit_middleware.h"
#include "common/ids.h"
#include "logging/logger.h"

using namespace osapi;
using namespace osapi::api;

namespace {

// Keeps entries in write order, like the stream: newest = last written.
class MemoryStore : public AuditStore {
 public:
  std::vector<Status> put(const std::vector<AuditRecord>& batch) override {
    std::lock_guard<std::mutex> lock(mu);
    batches.push_back(batch.size());
    std::vector<Status> out;
    for (const auto& r : batch) {
      if (fail_puts) {
        out.emplace_back(Error(ErrorCode::kUnavailable, "store down"));
        continue;
      }
      order.push_back(r.id);
      data[r.id] = r.json;
      out.push_back(Status::Ok());
    }
    if (short_answer && !out.empty()) out.pop_back();
    return out;
  }
  Result<AuditStorePage> newest(size_t offset, size_t limit) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail_reads) return Error(ErrorCode::kUnavailable, "store down");
    AuditStorePage out;
    out.total = order.size();
    for (size_t i = offset; i < order.size() && out.values.size() < limit; ++i)
      out.values.push_back(data[order[order.size() - 1 - i]]);
    reads += out.values.size();
    return out;
  }
  Result<AuditStorePage> all() override { return newest(0, SIZE_MAX); }
  Result<std::optional<std::string>> get(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail_reads) return Error(ErrorCode::kUnavailable, "store down");
    if (missing_stream) return Error(ErrorCode::kNotFound, "stream osapi-AUDIT not found");
    auto it = data.find(id);
    if (it == data.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  // Stores a raw value as the newest entry (broken entries for the readers).
  void put_raw(const std::string& value) {
    std::lock_guard<std::mutex> lock(mu);
    const std::string id = uuid_v7();
    order.push_back(id);
    data[id] = value;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return order.size();
  }

  std::mutex mu;
  std::vector<std::string> order;
  std::map<std::string, std::string> data;
  std::vector<size_t> batches;
  bool fail_puts = false;
  bool fail_reads = false;
  bool missing_stream = false;
  bool short_answer = false;
  size_t reads = 0;
};

AuditEntry entry(const std::string& path) {
  AuditEntry e;
  e.timestamp = "2026-02-26T22:41:07.123456Z";
  e.user = "ops@example.com";
  e.roles = {"admin"};
  e.method = "GET";
  e.path = path;
  e.response_code = 200;
  return e;
}

// Captures log lines written while it lives.
class LogCapture {
 public:
  LogCapture() : file_(std::tmpfile()) {
    logging::Options o;
    o.level = logging::Level::kDebug;
    o.out = file_;
    logging::init(o);
  }
  ~LogCapture() {
    logging::init(logging::Options{});
    std::fclose(file_);
  }
  std::string text() {
    std::fflush(file_);
    std::rewind(file_);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) out.append(buf, n);
    return out;
  }

 private:
  FILE* file_;
};

}  // namespace

TEST(AuditStoreList, AK1_DescendingOrderPaginationAndBrokenEntries) {
  auto store = std::make_shared<MemoryStore>();
  AuditLog log(store);
  auto empty = log.list(20, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->total_items, 0u);
  EXPECT_TRUE(empty->items.empty());

  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    auto e = entry("/p" + std::to_string(i));
    e.id = uuid_v7();
    ids.push_back(e.id);
    ASSERT_TRUE(store->put({{e.id, to_json(e).dump()}})[0].ok());
  }
  store->put_raw("{not json");     // broken entries are skipped
  store->put_raw(R"(["array"])");  // …including valid JSON of the wrong shape

  auto all = log.export_all();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total_items, 9u);
  ASSERT_EQ(all->items.size(), 7u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(all->items[i].path, "/p" + std::to_string(6 - i));

  store->reads = 0;
  auto page = log.list(3, 2);  // newest first: two broken, then /p6, /p5…
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_items, 9u);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].path, "/p6");
  EXPECT_EQ(page->items[2].path, "/p4");
  EXPECT_EQ(store->reads, 3u) << "only the page is read";

  auto beyond = log.list(5, 9);
  ASSERT_TRUE(beyond.ok());
  EXPECT_EQ(beyond->total_items, 9u);
  EXPECT_TRUE(beyond->items.empty());

  auto one = log.get(ids[3]);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->path, "/p3");
  auto missing = log.get(uuid_v7());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  // A store that cannot answer is a failure, never "not found".
  store->missing_stream = true;
  auto gone = log.get(ids[0]);
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().code, ErrorCode::kNotFound);
  store->missing_stream = false;

  store->fail_reads = true;
  EXPECT_FALSE(log.list(5, 0).ok());
  EXPECT_FALSE(log.export_all().ok());
  auto failed_get = log.get(ids[0]);
  ASSERT_FALSE(failed_get.ok());
  EXPECT_NE(failed_get.error().code, ErrorCode::kNotFound);
}

TEST(AuditEntryJson, FieldsAndOptionalOmission) {
  auto e = entry("/api/agent");
  e.id = "01936f6e-8c2a-7b41-9d3e-5f2a1c4b7e90";
  e.source_ip = "10.0.0.5";
  e.duration_ms = 42;
  auto j = to_json(e);
  EXPECT_FALSE(j.contains("operation_id"));
  EXPECT_FALSE(j.contains("trace_id"));
  e.operation_id = "getNode";
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  j = to_json(e);
  EXPECT_EQ(j["operation_id"], "getNode");
  EXPECT_EQ(j["duration_ms"], 42);
  auto back = audit_entry_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->roles, std::vector<std::string>{"admin"});
  EXPECT_EQ(back->trace_id, e.trace_id);
  EXPECT_FALSE(audit_entry_from_json(nlohmann::json::parse("{}")).ok());
}

TEST(AuditWriter, IdsAreTimeOrderedV7) {
  auto store = std::make_shared<MemoryStore>();
  AuditLog log(store);
  for (int i = 0; i < 50; ++i) log.record(entry("/p" + std::to_string(i)));
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  auto page = log.list(100, 0);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 50u);
  EXPECT_EQ(page->items.front().path, "/p49");  // newest first = last recorded first
  EXPECT_EQ(page->items.back().path, "/p0");
  EXPECT_EQ(page->items[0].id[14], '7');
}

// AM-3 (unit): a failing store never changes the response; the failure is counted and logged.
TEST(AuditMiddleware, AM3_StoreWriteFailureLeavesResponseAlone) {
  LogCapture logs;
  auto store = std::make_shared<MemoryStore>();
  store->fail_puts = true;
  auto log = std::make_shared<AuditLog>(store);
  auto mw = audit_middleware(log);
  const uint64_t before = audit_write_failures();
  http::Request req;
  req.method = "GET";
  req.path = "/api/agent";
  req.peer_address = "127.0.0.1";
  auto resp = mw(req, [](http::Request& r) {
    r.attrs["auth.user"] = "u@example.com";
    r.attrs["auth.roles"] = "admin";
    return http::Response::json(200, nlohmann::json{{"ok", true}});
  });
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "{\"ok\":true}\n");
  ASSERT_TRUE(log->flush(std::chrono::seconds(10)));
  EXPECT_EQ(audit_write_failures(), before + 1);
  EXPECT_TRUE(store->data.empty());
  const std::string text = logs.text();
  EXPECT_NE(text.find("WRN failed to write audit entries"), std::string::npos) << text;
  EXPECT_NE(text.find("count=1"), std::string::npos) << text;
}

// Holds every write until released, so tests can fill the queue behind it.
class BlockingStore : public MemoryStore {
 public:
  std::vector<Status> put(const std::vector<AuditRecord>& batch) override {
    entered = true;
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return MemoryStore::put(batch);
  }
  std::atomic<bool> entered{false};
  std::atomic<bool> release{false};
};

// Without a spool, a queue still full after the bounded wait loses the entry: record() says
// so, and it is logged (in full) and counted.
TEST(AuditWriter, BoundedQueueWithoutSpoolLosesLoudlyAfterTheWait) {
  LogCapture logs;
  auto store = std::make_shared<BlockingStore>();
  AuditLogOptions o;
  o.max_pending = 2;
  o.max_wait = std::chrono::milliseconds(20);
  AuditLog log(store, o);
  const uint64_t before = audit_write_failures();
  EXPECT_TRUE(log.record(entry("/first")));
  while (!store->entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int kept = 0;
  for (int i = 0; i < 5; ++i) kept += log.record(entry("/p" + std::to_string(i))) ? 1 : 0;
  // One entry is being written, two are queued: the other three were lost.
  EXPECT_EQ(kept, 2);
  EXPECT_EQ(audit_write_failures(), before + 3);
  store->release = true;
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  EXPECT_EQ(store->size(), 3u);
  const std::string text = logs.text();
  EXPECT_NE(text.find("audit queue full"), std::string::npos) << text;
  EXPECT_NE(text.find("ERR audit entry lost"), std::string::npos) << text;
}

// What queued up behind a slow write goes to the store in batches of at most kMaxBatch, in
// record order, with nothing lost.
TEST(AuditWriter, QueuedEntriesAreWrittenInOrderedBatches) {
  auto store = std::make_shared<BlockingStore>();
  AuditLog log(store);
  const uint64_t before = audit_write_failures();
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto e = entry("/p" + std::to_string(i));
    e.id = uuid_v7();
    ids.push_back(e.id);
    log.record(e);
    if (i == 0)
      while (!store->entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  store->release = true;
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  EXPECT_EQ(audit_write_failures(), before);
  EXPECT_EQ(store->order, ids);
  ASSERT_GE(store->batches.size(), 2u);
  EXPECT_EQ(store->batches[0], 1u);  // the write that was in progress
  for (size_t n : store->batches) EXPECT_LE(n, AuditLog::kMaxBatch);
  EXPECT_GT(store->batches[1], 1u) << "the backlog is batched";
}

// A store answering with fewer results than records: the unanswered ones count as failed.
TEST(AuditWriter, MissingResultsCountAsFailures) {
  LogCapture logs;
  auto store = std::make_shared<MemoryStore>();
  store->short_answer = true;
  AuditLog log(store);
  const uint64_t before = audit_write_failures();
  log.record(entry("/x"));
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  EXPECT_EQ(audit_write_failures(), before + 1);
  EXPECT_NE(logs.text().find("no result from the store"), std::string::npos) << logs.text();
}

// Entries still queued when the log stops are counted and named, not lost silently.
TEST(AuditWriter, EntriesLeftAtShutdownAreCounted) {
  LogCapture logs;
  auto store = std::make_shared<BlockingStore>();
  AuditLog log(store);
  const uint64_t before = audit_write_failures();
  log.record(entry("/first"));
  while (!store->entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto late = entry("/late");
  late.id = uuid_v7();
  log.record(late);
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    store->release = true;
  });
  log.shutdown(std::chrono::milliseconds(50));
  releaser.join();
  EXPECT_EQ(audit_write_failures(), before + 1);
  const std::string text = logs.text();
  EXPECT_NE(text.find("audit entries not written at shutdown"), std::string::npos) << text;
  EXPECT_NE(text.find(late.id), std::string::npos) << text;
}

TEST(AuditMiddleware, RecordsOnlyVerifiedTokensOutsideHealthAndMetrics) {
  auto store = std::make_shared<MemoryStore>();
  auto log = std::make_shared<AuditLog>(store);
  auto mw = audit_middleware(log);
  auto run = [&](const std::string& path, bool authed, int status) {
    http::Request req;
    req.method = "GET";
    req.path = path;
    req.peer_address = "127.0.0.1";
    req.headers.emplace_back("X-Forwarded-For", "10.0.0.5, 10.0.0.6");
    req.route_info.operation_id = "getThing";
    return mw(req, [&](http::Request& r) {
      if (authed) {
        r.attrs["auth.user"] = "u@example.com";
        r.attrs["auth.roles"] = "read,write";
      }
      return http::Response::app_error(status, "x");
    });
  };
  run("/api/node", false, 401);
  run("/api/health/status", true, 200);
  run("/api/healthz", true, 200);  // literal prefix rule
  run("/metrics", true, 200);
  run("/api/node", true, 403);
  ASSERT_TRUE(log->flush(std::chrono::seconds(10)));
  auto page = log->export_all();
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  const auto& e = page->items[0];
  EXPECT_EQ(e.path, "/api/node");
  EXPECT_EQ(e.response_code, 403);
  EXPECT_EQ(e.source_ip, "10.0.0.5");
  EXPECT_EQ(e.operation_id, "getThing");
  EXPECT_EQ(e.roles, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(e.timestamp.back(), 'Z');
}

TEST(AuditMiddleware, HandlerExceptionIsRecordedAs500AndRethrown) {
  auto store = std::make_shared<MemoryStore>();
  auto log = std::make_shared<AuditLog>(store);
  auto mw = audit_middleware(log);
  http::Request req;
  req.method = "POST";
  req.path = "/job";
  EXPECT_THROW(mw(req,
                  [](http::Request& r) -> http::Response {
                    r.attrs["auth.user"] = "u";
                    throw std::runtime_error("boom");
                  }),
               std::runtime_error);
  ASSERT_TRUE(log->flush(std::chrono::seconds(10)));
  auto page = log->export_all();
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].response_code, 500);
}
