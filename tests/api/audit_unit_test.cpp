// Audit log units (spec/acceptance.md §7 AK-1, AM-3): the store-facing list/get/export logic
// over an in-memory store, the bounded asynchronous writer, and the middleware's rules, with a
// stub handler in place of the router.
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

class MemoryStore : public AuditStore {
 public:
  Status put(const std::string& key, const std::string& value) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail_puts) return Error(ErrorCode::kUnavailable, "store down");
    data[key] = value;
    return Status::Ok();
  }
  Result<std::vector<std::string>> keys() override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail_reads) return Error(ErrorCode::kUnavailable, "store down");
    std::vector<std::string> out;
    for (const auto& [k, v] : data) out.push_back(k);
    std::reverse(out.begin(), out.end());  // any order: the log sorts
    if (out.size() > 1) std::swap(out.front(), out.back());
    return out;
  }
  Result<std::optional<std::string>> get(const std::string& key) override {
    std::lock_guard<std::mutex> lock(mu);
    ++gets;
    if (fail_reads) return Error(ErrorCode::kUnavailable, "store down");
    auto it = data.find(key);
    if (it == data.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  std::mutex mu;
  std::map<std::string, std::string> data;
  bool fail_puts = false;
  bool fail_reads = false;
  int gets = 0;
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
    ASSERT_TRUE(store->put(e.id, to_json(e).dump()).ok());
  }
  store->data[uuid_v7()] = "{not json";     // broken entries are skipped
  store->data[uuid_v7()] = R"(["array"])";  // …including valid JSON of the wrong shape

  auto all = log.export_all();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total_items, 9u);
  ASSERT_EQ(all->items.size(), 7u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(all->items[i].path, "/p" + std::to_string(6 - i));

  store->gets = 0;
  auto page = log.list(3, 2);  // keys 9..1 newest first: two broken, then /p6, /p5…
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_items, 9u);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].path, "/p6");
  EXPECT_EQ(page->items[2].path, "/p4");
  EXPECT_EQ(store->gets, 3) << "only the page's keys are fetched";

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

  store->fail_reads = true;
  EXPECT_FALSE(log.list(5, 0).ok());
  EXPECT_FALSE(log.export_all().ok());
  auto failed_get = log.get(ids[0]);
  ASSERT_FALSE(failed_get.ok());
  EXPECT_NE(failed_get.error().code, ErrorCode::kNotFound);
}

TEST(AuditEntryJson, FieldsAndOptionalOmission) {
  auto e = entry("/node");
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
  auto mw = audit_middleware(log, "/metrics");
  const uint64_t before = audit_write_failures();
  http::Request req;
  req.method = "GET";
  req.path = "/node";
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
  EXPECT_NE(text.find("WRN failed to write audit entry"), std::string::npos) << text;
}

// A full queue drops the entry with a Warn log instead of blocking the request.
TEST(AuditWriter, BoundedQueueDropsWithWarning) {
  LogCapture logs;
  class BlockingStore : public MemoryStore {
   public:
    Status put(const std::string& k, const std::string& v) override {
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return MemoryStore::put(k, v);
    }
    std::atomic<bool> release{false};
  };
  auto store = std::make_shared<BlockingStore>();
  AuditLog log(store, 2);
  const uint64_t before = audit_write_failures();
  for (int i = 0; i < 6; ++i) log.record(entry("/p" + std::to_string(i)));
  // One entry is being written, two are queued: at least three of six were dropped.
  EXPECT_GE(audit_write_failures(), before + 3);
  store->release = true;
  ASSERT_TRUE(log.flush(std::chrono::seconds(10)));
  EXPECT_LE(store->data.size(), 3u);
  EXPECT_GE(store->data.size(), 2u);
  EXPECT_NE(logs.text().find("audit entry dropped"), std::string::npos);
}

TEST(AuditMiddleware, RecordsOnlyVerifiedTokensOutsideHealthAndMetrics) {
  auto store = std::make_shared<MemoryStore>();
  auto log = std::make_shared<AuditLog>(store);
  auto mw = audit_middleware(log, "/metrics");
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
  run("/node", false, 401);
  run("/health/status", true, 200);
  run("/healthz", true, 200);  // literal prefix rule
  run("/metrics", true, 200);
  run("/node", true, 403);
  ASSERT_TRUE(log->flush(std::chrono::seconds(10)));
  auto page = log->export_all();
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  const auto& e = page->items[0];
  EXPECT_EQ(e.path, "/node");
  EXPECT_EQ(e.response_code, 403);
  EXPECT_EQ(e.source_ip, "10.0.0.5");
  EXPECT_EQ(e.operation_id, "getThing");
  EXPECT_EQ(e.roles, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(e.timestamp.back(), 'Z');
}

TEST(AuditMiddleware, HandlerExceptionIsRecordedAs500AndRethrown) {
  auto store = std::make_shared<MemoryStore>();
  auto log = std::make_shared<AuditLog>(store);
  auto mw = audit_middleware(log, "/metrics");
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
