// Audit log (spec/audit-metrics-health.md §1): entries of authenticated requests, written
// asynchronously to the audit KV bucket (key = UUIDv7 id, so key order is time order) and read
// back newest first.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "messaging/nats.h"

namespace osapi::api {

struct AuditEntry {
  std::string id;         // UUIDv7
  std::string timestamp;  // request start, RFC 3339 with microseconds, UTC
  std::string user;
  std::vector<std::string> roles;
  std::string method;
  std::string path;
  std::string operation_id;  // omitted when empty
  std::string source_ip;
  int response_code = 0;
  long long duration_ms = 0;
  std::string trace_id;  // the request's server span; an addition to upstream, omitted when ""
};

nlohmann::ordered_json to_json(const AuditEntry& entry);
// Rejects anything that is not an object with a string id (unreadable entries are skipped).
Result<AuditEntry> audit_entry_from_json(const nlohmann::json& doc);

// The storage the log writes to and reads from. The KV implementation is the real one; tests
// may substitute a failing store to prove a failed write never changes a response.
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual Status put(const std::string& key, const std::string& value) = 0;
  virtual Result<std::vector<std::string>> keys() = 0;
  // nullopt when the key does not exist.
  virtual Result<std::optional<std::string>> get(const std::string& key) = 0;
};

class KvAuditStore : public AuditStore {
 public:
  explicit KvAuditStore(std::shared_ptr<messaging::KeyValue> kv) : kv_(std::move(kv)) {}
  Status put(const std::string& key, const std::string& value) override;
  Result<std::vector<std::string>> keys() override;
  Result<std::optional<std::string>> get(const std::string& key) override;

 private:
  std::shared_ptr<messaging::KeyValue> kv_;
};

struct AuditPage {
  size_t total_items = 0;
  std::vector<AuditEntry> items;  // newest first
};

// Writes entries on one background thread from a bounded queue, so a slow or failing store
// never delays or changes a response; reads go straight to the store.
class AuditLog {
 public:
  static constexpr size_t kDefaultMaxPending = 1024;

  explicit AuditLog(std::shared_ptr<AuditStore> store, size_t max_pending = kDefaultMaxPending);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues the entry (id assigned here when empty). A full queue drops it with a Warn log.
  void record(AuditEntry entry);
  // Waits until every queued entry was written (or failed), at most `timeout`. True when idle.
  bool flush(std::chrono::milliseconds timeout);
  // Writes what is still queued (bounded by `deadline`), then stops the writer thread.
  void shutdown(std::chrono::milliseconds deadline = std::chrono::seconds(5));

  // Newest first; only the page's keys are fetched. offset >= total → empty items.
  Result<AuditPage> list(size_t limit, size_t offset);
  Result<AuditPage> export_all();
  // kNotFound when missing.
  Result<AuditEntry> get(const std::string& id);

 private:
  void writer_loop();
  Result<AuditPage> page(size_t limit, size_t offset, bool all);

  std::shared_ptr<AuditStore> store_;
  const size_t max_pending_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<AuditEntry> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

// Entries that could not be stored since process start: failed writes plus entries dropped
// because the queue was full (exported as a metric).
uint64_t audit_write_failures();

}  // namespace osapi::api
