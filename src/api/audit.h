// Audit log: one entry per authenticated request, written asynchronously so no response waits
// for storage, and read back newest first. The storage is an AuditStore (the JetStream audit
// stream in production, see audit_stream_store.h).
#pragma once

#include <atomic>
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
  // Stores records that may have been stored already (a spool replay): a record whose id the
  // store holds counts as Ok and is not stored again. One Status per record.
  virtual std::vector<Status> replay(const std::vector<AuditRecord>& batch) { return put(batch); }
  // False when the store is known to be unreachable (no point trying a replay).
  virtual bool available() { return true; }
};

struct AuditPage {
  size_t total_items = 0;
  std::vector<AuditEntry> items;  // newest first
};

// Writes entries on one background thread from a bounded queue; reads go straight to the store.
// The writer hands the store everything queued (up to kMaxBatch) at once, so one store round
// trip covers a burst.
//
// Nothing is dropped to keep up: a full queue makes record() wait (backpressure) for at most
// `max_wait`; past that the request thread appends its entry to the spool itself. A write the
// store refuses is retried once; what still fails goes to the spool, and from then on every
// new entry goes to the spool too (so the log keeps its order) until the spool has been
// replayed into the store, oldest first, whenever the store is reachable. Replays cannot
// duplicate an entry: the store's replay() stores an id at most once. A spool left by an
// earlier run is replayed at start. Only when the spool itself cannot be written is an entry
// lost: it is then logged in full at Error, counted in audit_write_failures(), and writable()
// turns false until a write succeeds again.
class AuditSpool;

struct AuditLogOptions {
  // Room for a burst of about 16k requests while the store is slow (≈ 8 MB of entries).
  size_t max_pending = 16384;
  // How long record() waits for room in a full queue before spooling the entry itself.
  std::chrono::milliseconds max_wait{2000};
  // "" = no spool (entries the store refuses are lost, logged and counted).
  std::string spool_dir;
  // Pause between replay attempts while the store is unreachable or refuses the replay.
  std::chrono::milliseconds replay_interval{500};
};

class AuditLog {
 public:
  static constexpr size_t kDefaultMaxPending = 16384;
  static constexpr size_t kMaxBatch = 256;

  explicit AuditLog(std::shared_ptr<AuditStore> store, AuditLogOptions options = {});
  AuditLog(std::shared_ptr<AuditStore> store, size_t max_pending);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues the entry (id assigned here when empty). Waits while the queue is full (at most
  // max_wait, then spools the entry directly). False only when the entry was lost: the queue
  // stayed full and the spool could not be written, or the log has stopped.
  bool record(AuditEntry entry);
  // False while the last attempt to spool entries failed (e.g. a full disk) and nothing has
  // been stored since: new entries may be lost, so mutating requests are refused.
  bool writable() const;
  // Waits until every queued entry was written, spooled or failed, and nothing is left in the
  // spool that could be replayed now, at most `timeout`. True when idle.
  bool flush(std::chrono::milliseconds timeout);
  // Writes what is still queued (bounded by `deadline`), spools whatever remains, then stops
  // the writer thread. A non-empty spool is replayed by the next run.
  void shutdown(std::chrono::milliseconds deadline = std::chrono::seconds(5));

  // Entries waiting in the spool (0 without one).
  uint64_t spooled() const;

  // Newest first. offset >= total → empty items.
  Result<AuditPage> list(size_t limit, size_t offset);
  Result<AuditPage> export_all();
  // kNotFound when missing.
  Result<AuditEntry> get(const std::string& id);

 private:
  void writer_loop();
  // The batch goes to the store (spool empty) or to the spool (spool in use).
  void write_batch(std::deque<AuditEntry>& batch);
  bool spool_records(const std::vector<AuditRecord>& records, const char* why);
  // Replays the spool into the store; true when it is empty afterwards.
  bool replay();
  void lost(const std::vector<AuditRecord>& records, const std::string& error);
  bool spool_in_use() const;

  std::shared_ptr<AuditStore> store_;
  const AuditLogOptions opts_;
  std::unique_ptr<AuditSpool> spool_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::condition_variable room_cv_;
  std::deque<AuditEntry> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  std::atomic<bool> spool_broken_{false};
  std::chrono::steady_clock::time_point next_replay_{};
  std::thread writer_;
};

// Entries that could not be stored since process start: failed writes plus entries dropped
// because the queue was full or the log shut down (exported as a metric).
uint64_t audit_write_failures();

}  // namespace osapi::api
