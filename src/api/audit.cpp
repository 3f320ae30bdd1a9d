#include "api/audit.h"

#include <algorithm>
#include <atomic>

#include "api/audit_spool.h"
#include "common/ids.h"
#include "logging/logger.h"

namespace osapi::api {

using json = nlohmann::ordered_json;

namespace {

std::atomic<uint64_t> g_write_failures{0};

std::string string_field(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

long long int_field(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_number() ? it->get<long long>() : 0;
}

}  // namespace

uint64_t audit_write_failures() {
  return g_write_failures.load(std::memory_order_relaxed);
}

json to_json(const AuditEntry& e) {
  json j;
  j["id"] = e.id;
  j["timestamp"] = e.timestamp;
  j["user"] = e.user;
  j["roles"] = e.roles;
  j["method"] = e.method;
  j["path"] = e.path;
  if (!e.operation_id.empty()) j["operation_id"] = e.operation_id;
  j["source_ip"] = e.source_ip;
  j["response_code"] = e.response_code;
  j["duration_ms"] = e.duration_ms;
  if (!e.trace_id.empty()) j["trace_id"] = e.trace_id;
  return j;
}

Result<AuditEntry> audit_entry_from_json(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string())
    return Error(ErrorCode::kInternal, "unreadable audit entry");
  AuditEntry e;
  e.id = string_field(doc, "id");
  e.timestamp = string_field(doc, "timestamp");
  e.user = string_field(doc, "user");
  if (auto it = doc.find("roles"); it != doc.end() && it->is_array())
    for (const auto& r : *it)
      if (r.is_string()) e.roles.push_back(r.get<std::string>());
  e.method = string_field(doc, "method");
  e.path = string_field(doc, "path");
  e.operation_id = string_field(doc, "operation_id");
  e.source_ip = string_field(doc, "source_ip");
  e.response_code = static_cast<int>(int_field(doc, "response_code"));
  e.duration_ms = int_field(doc, "duration_ms");
  e.trace_id = string_field(doc, "trace_id");
  return e;
}

// --- AuditLog ---------------------------------------------------------------------------------

namespace {

std::vector<AuditRecord> to_records(const std::deque<AuditEntry>& batch) {
  std::vector<AuditRecord> records;
  records.reserve(batch.size());
  // Paths are raw request bytes: invalid UTF-8 is replaced rather than thrown on.
  for (const auto& e : batch)
    records.push_back({e.id, to_json(e).dump(-1, ' ', false, json::error_handler_t::replace)});
  return records;
}

std::string joined_ids(const std::vector<AuditRecord>& records) {
  std::string ids;
  for (const auto& r : records) ids += (ids.empty() ? "" : ",") + r.id;
  return ids;
}

}  // namespace

AuditLog::AuditLog(std::shared_ptr<AuditStore> store, AuditLogOptions options)
    : store_(std::move(store)), opts_(std::move(options)) {
  if (!opts_.spool_dir.empty()) {
    spool_ = std::make_unique<AuditSpool>(opts_.spool_dir);
    if (const uint64_t n = spool_->pending(); n > 0)
      logging::info("audit spool from an earlier run will be replayed",
                    {{"dir", opts_.spool_dir}, {"entries", static_cast<unsigned long>(n)}});
  }
  writer_ = std::thread([this] { writer_loop(); });
}

AuditLog::AuditLog(std::shared_ptr<AuditStore> store, size_t max_pending)
    : AuditLog(std::move(store), [max_pending] {
        AuditLogOptions o;
        o.max_pending = max_pending;
        return o;
      }()) {}

AuditLog::~AuditLog() {
  shutdown(std::chrono::seconds(1));
}

bool AuditLog::spool_in_use() const {
  return spool_ && spool_->pending() > 0;
}

uint64_t AuditLog::spooled() const {
  return spool_ ? spool_->pending() : 0;
}

bool AuditLog::writable() const {
  return !spool_broken_.load();
}

bool AuditLog::record(AuditEntry entry) {
  if (entry.id.empty()) entry.id = uuid_v7();
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Backpressure: a full queue holds the request back until the writer takes a batch out.
    if (!stopping_ && queue_.size() >= opts_.max_pending)
      room_cv_.wait_for(lock, opts_.max_wait,
                        [this] { return stopping_ || queue_.size() < opts_.max_pending; });
    if (!stopping_ && queue_.size() < opts_.max_pending) {
      queue_.push_back(std::move(entry));
      // The writer waits only on an empty queue: wake it for the first entry, not every one.
      const bool wake = queue_.size() == 1;
      lock.unlock();
      if (wake) cv_.notify_one();
      return true;
    }
  }
  // Still full (the store is slower than the requests for longer than max_wait) or stopped:
  // the entry goes to the spool from this thread.
  std::deque<AuditEntry> one;
  one.push_back(std::move(entry));
  const bool kept = spool_records(to_records(one), "audit queue full");
  cv_.notify_one();
  return kept;
}

bool AuditLog::flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] {
    if (!queue_.empty() || writing_) return false;
    // A spool that could be replayed now is work still to do.
    return !spool_in_use() || stopping_ || !store_ || !store_->available();
  });
}

void AuditLog::shutdown(std::chrono::milliseconds deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!writer_.joinable()) return;
  }
  flush(deadline);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  room_cv_.notify_all();
  writer_.join();
  std::deque<AuditEntry> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(queue_);
  }
  if (left.empty()) return;
  const auto records = to_records(left);
  if (spool_) {
    if (spool_records(records, "shutdown"))
      logging::info("audit entries spooled at shutdown; the next start replays them",
                    {{"count", static_cast<unsigned long>(records.size())}});
    return;
  }
  logging::warn(
      "audit entries not written at shutdown",
      {{"count", static_cast<unsigned long>(records.size())}, {"ids", joined_ids(records)}});
  g_write_failures.fetch_add(records.size(), std::memory_order_relaxed);
}

void AuditLog::writer_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stopping_) return;
    const bool spooled = spool_in_use();
    if (spooled && std::chrono::steady_clock::now() >= next_replay_) {
      writing_ = true;
      lock.unlock();
      const bool ok = replay();
      lock.lock();
      writing_ = false;
      if (!ok) next_replay_ = std::chrono::steady_clock::now() + opts_.replay_interval;
      idle_cv_.notify_all();
      continue;
    }
    if (queue_.empty()) {
      idle_cv_.notify_all();
      if (spooled)
        cv_.wait_until(lock, next_replay_, [this] { return stopping_ || !queue_.empty(); });
      else
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty() || spool_in_use(); });
      continue;
    }
    // Taken out under the lock, so record() never waits long: a whole small queue is swapped
    // out in O(1), a longer one gives up its first kMaxBatch entries.
    std::deque<AuditEntry> batch;
    if (queue_.size() <= kMaxBatch) {
      batch.swap(queue_);
    } else {
      const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(kMaxBatch);
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
    }
    writing_ = true;
    lock.unlock();
    room_cv_.notify_all();
    write_batch(batch);
    lock.lock();
    writing_ = false;
    idle_cv_.notify_all();
  }
}

void AuditLog::write_batch(std::deque<AuditEntry>& batch) {
  const std::vector<AuditRecord> records = to_records(batch);
  // Once anything is spooled, newer entries queue up behind it there, so the log keeps its
  // order; the replay moves them all to the store.
  if (spool_in_use()) {
    spool_records(records, "spool not yet replayed");
    return;
  }
  std::vector<Status> results = store_->put(records);
  std::vector<AuditRecord> failed;
  std::string first_error;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i < results.size() && results[i].ok()) continue;  // a short answer counts as failed
    if (failed.empty())
      first_error = i < results.size() ? results[i].error().message : "no result from the store";
    failed.push_back(records[i]);
  }
  if (failed.empty()) {
    spool_broken_ = false;
    return;
  }
  // One retry, as a replay: a write whose ack was lost may be stored already.
  if (store_->available()) {
    results = store_->replay(failed);
    std::vector<AuditRecord> still;
    for (size_t i = 0; i < failed.size(); ++i)
      if (i >= results.size() || !results[i].ok()) still.push_back(std::move(failed[i]));
    failed.swap(still);
    if (failed.empty()) {
      spool_broken_ = false;
      return;
    }
  }
  if (spool_) {
    logging::warn("audit store unavailable; spooling entries until it is back",
                  {{"count", static_cast<unsigned long>(failed.size())},
                   {"error", first_error},
                   {"dir", spool_->dir()}});
    {
      std::lock_guard<std::mutex> lock(mu_);
      next_replay_ = std::chrono::steady_clock::now() + opts_.replay_interval;
    }
    spool_records(failed, "store write failed");
    return;
  }
  lost(failed, first_error);
}

bool AuditLog::spool_records(const std::vector<AuditRecord>& records, const char* why) {
  if (!spool_) {
    lost(records, why);
    return false;
  }
  if (auto st = spool_->append(records); !st.ok()) {
    spool_broken_ = true;
    lost(records, st.error().message);
    return false;
  }
  spool_broken_ = false;
  return true;
}

bool AuditLog::replay() {
  if (!store_ || !store_->available()) return false;
  for (const auto& segment : spool_->seal()) {
    auto records = AuditSpool::read_segment(segment);
    if (!records.ok()) {
      logging::warn("audit spool replay failed", {{"error", records.error().message}});
      return false;
    }
    for (size_t at = 0; at < records->size(); at += kMaxBatch) {
      const size_t end = std::min(records->size(), at + kMaxBatch);
      const std::vector<AuditRecord> chunk(records->begin() + static_cast<std::ptrdiff_t>(at),
                                           records->begin() + static_cast<std::ptrdiff_t>(end));
      const auto results = store_->replay(chunk);
      for (size_t i = 0; i < chunk.size(); ++i) {
        if (i < results.size() && results[i].ok()) continue;
        // Kept whole: the next attempt starts this segment again, and what was stored now
        // is skipped then.
        logging::warn("audit spool replay failed; retrying later",
                      {{"file", segment},
                       {"error", i < results.size() ? results[i].error().message
                                                    : "no result from the store"}});
        return false;
      }
    }
    if (auto st = spool_->remove(segment, records->size()); !st.ok()) {
      logging::warn("audit spool replay failed", {{"error", st.error().message}});
      return false;
    }
    logging::info("audit spool segment replayed",
                  {{"file", segment}, {"entries", static_cast<unsigned long>(records->size())}});
  }
  spool_broken_ = false;
  return true;
}

void AuditLog::lost(const std::vector<AuditRecord>& records, const std::string& error) {
  if (records.empty()) return;
  g_write_failures.fetch_add(records.size(), std::memory_order_relaxed);
  // One line per failed batch naming every lost entry, then each entry in full, so the
  // process log still holds what the audit log could not.
  logging::warn("failed to write audit entries",
                {{"count", static_cast<unsigned long>(records.size())},
                 {"error", error},
                 {"ids", joined_ids(records)}});
  for (const auto& r : records) logging::error("audit entry lost", {{"entry", r.json}});
}

namespace {

AuditPage decode(AuditStorePage stored) {
  AuditPage out;
  out.total_items = stored.total;
  out.items.reserve(stored.values.size());
  for (const auto& value : stored.values) {
    auto entry = audit_entry_from_json(nlohmann::json::parse(value, nullptr, false));
    if (!entry.ok()) {
      logging::debug("skipping unreadable audit entry", {{"bytes", value.size()}});
      continue;
    }
    out.items.push_back(std::move(*entry));
  }
  return out;
}

}  // namespace

Result<AuditPage> AuditLog::list(size_t limit, size_t offset) {
  auto stored = store_->newest(offset, limit);
  if (!stored.ok()) return stored.error();
  return decode(std::move(*stored));
}

Result<AuditPage> AuditLog::export_all() {
  auto stored = store_->all();
  if (!stored.ok()) return stored.error();
  return decode(std::move(*stored));
}

Result<AuditEntry> AuditLog::get(const std::string& id) {
  auto value = store_->get(id);
  if (!value.ok()) {
    // Only a missing entry is "not found"; a store that cannot answer (e.g. its stream is
    // gone) is a failure.
    Error e = value.error();
    if (e.code == ErrorCode::kNotFound) e.code = ErrorCode::kInternal;
    return e;
  }
  if (!value->has_value()) return Error(ErrorCode::kNotFound, "audit entry not found");
  auto entry = audit_entry_from_json(nlohmann::json::parse(**value, nullptr, false));
  if (!entry.ok()) return entry.error();
  return entry;
}

}  // namespace osapi::api
