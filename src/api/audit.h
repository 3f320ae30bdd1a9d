// Audit log: one entry per authenticated request, written asynchronously so no response waits
// for storage, and read back newest first. The storage is an AuditStore (the JetStream audit
// stream in production, see audit_stream_store.h).
#pragma once

#include <chrono>
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

namespace osapi::api {

struct AuditEntry {
  std::string id;         // UUIDv7 (time-ordered, so ids sort like the log)
  std::string timestamp;  // request start, RFC 3339 with microseconds, UTC
  std::string user;
  std::vector<std::string> roles;
  std::string method;
  std::string path;
  std::string operation_id;  // omitted when empty
  std::string source_ip;
  int response_code = 0;
  long long duration_ms = 0;
  std::string trace_id;  // the request's server span; omitted when ""
};

nlohmann::ordered_json to_json(const AuditEntry& entry);
// Rejects anything that is not an object with a string id (unreadable entries are skipped).
Result<AuditEntry> audit_entry_from_json(const nlohmann::json& doc);

// One entry as stored: its id and its JSON text.
struct AuditRecord {
  std::string id;
  std::string json;
};

// Stored entries as read back, newest first.
struct AuditStorePage {
  size_t total = 0;                 // entries in the store, readable or not
  std::vector<std::string> values;  // JSON texts, newest first
};

// Where the log writes to and reads from. Tests substitute an in-memory or failing store to
// prove a failed write never changes a response.
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Stores the records in order (the store's order is write order); one Status per record.
  virtual std::vector<Status> put(const std::vector<AuditRecord>& batch) = 0;
  // Up to `limit` entries after skipping the `offset` newest.
  virtual Result<AuditStorePage> newest(size_t offset, size_t limit) = 0;
  // Every entry.
  virtual Result<AuditStorePage> all() = 0;
  // nullopt when no entry has this id.
  virtual Result<std::optional<std::string>> get(const std::string& id) = 0;
};

struct AuditPage {
  size_t total_items = 0;
  std::vector<AuditEntry> items;  // newest first
};

// Writes entries on one background thread from a bounded queue, so a slow or failing store
// never delays or changes a response; reads go straight to the store. The writer hands the
// store everything queued (up to kMaxBatch) at once, so one store round trip covers a burst.
// No entry is lost silently: every entry that is not stored (write failed, queue full, still
// queued at shutdown) is logged at Warn and counted in audit_write_failures().
class AuditLog {
 public:
  // Room for a burst of about 16k requests while the store is slow (≈ 8 MB of entries).
  static constexpr size_t kDefaultMaxPending = 16384;
  static constexpr size_t kMaxBatch = 256;

  explicit AuditLog(std::shared_ptr<AuditStore> store, size_t max_pending = kDefaultMaxPending);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues the entry (id assigned here when empty) and returns at once. A full queue drops it.
  void record(AuditEntry entry);
  // Waits until every queued entry was written (or failed), at most `timeout`. True when idle.
  bool flush(std::chrono::milliseconds timeout);
  // Writes what is still queued (bounded by `deadline`), then stops the writer thread.
  void shutdown(std::chrono::milliseconds deadline = std::chrono::seconds(5));

  // Newest first. offset >= total → empty items.
  Result<AuditPage> list(size_t limit, size_t offset);
  Result<AuditPage> export_all();
  // kNotFound when missing.
  Result<AuditEntry> get(const std::string& id);

 private:
  void writer_loop();
  void write_batch(const std::deque<AuditEntry>& batch);

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
// because the queue was full or the log shut down (exported as a metric).
uint64_t audit_write_failures();

}  // namespace osapi::api
