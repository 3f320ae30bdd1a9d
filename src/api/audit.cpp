#include "api/audit.h"

#include <algorithm>
#include <atomic>

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

AuditLog::AuditLog(std::shared_ptr<AuditStore> store, size_t max_pending)
    : store_(std::move(store)), max_pending_(max_pending) {
  writer_ = std::thread([this] { writer_loop(); });
}

AuditLog::~AuditLog() {
  shutdown(std::chrono::seconds(1));
}

void AuditLog::record(AuditEntry entry) {
  if (entry.id.empty()) entry.id = uuid_v7();
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!stopping_ && queue_.size() < max_pending_) {
      queue_.push_back(std::move(entry));
      // The writer waits only on an empty queue: wake it for the first entry, not every one.
      const bool wake = queue_.size() == 1;
      lock.unlock();
      if (wake) cv_.notify_one();
      return;
    }
  }
  g_write_failures.fetch_add(1, std::memory_order_relaxed);
  logging::warn("audit entry dropped: too many pending writes",
                {{"id", entry.id}, {"path", entry.path}, {"user", entry.user}});
}

bool AuditLog::flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !writing_; });
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
    if (!queue_.empty()) {
      std::string ids;
      for (const auto& e : queue_) ids += (ids.empty() ? "" : ",") + e.id;
      logging::warn("audit entries not written at shutdown",
                    {{"count", static_cast<unsigned long>(queue_.size())}, {"ids", ids}});
    }
    g_write_failures.fetch_add(queue_.size(), std::memory_order_relaxed);
    queue_.clear();
  }
  cv_.notify_all();
  writer_.join();
}

void AuditLog::writer_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
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
    write_batch(batch);
    lock.lock();
    writing_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

void AuditLog::write_batch(const std::deque<AuditEntry>& batch) {
  std::vector<AuditRecord> records;
  records.reserve(batch.size());
  // Paths are raw request bytes: invalid UTF-8 is replaced rather than thrown on.
  for (const auto& e : batch)
    records.push_back({e.id, to_json(e).dump(-1, ' ', false, json::error_handler_t::replace)});
  const std::vector<Status> results = store_->put(records);

  // One line per failed batch (an outage fails whole batches), naming every lost entry.
  size_t failed = 0;
  std::string ids, first_error, first_path;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i < results.size() && results[i].ok()) continue;  // a short answer counts as failed
    if (failed++ == 0) {
      first_error = i < results.size() ? results[i].error().message : "no result from the store";
      first_path = batch[i].path;
    }
    ids += (ids.empty() ? "" : ",") + batch[i].id;
  }
  if (failed == 0) return;
  g_write_failures.fetch_add(failed, std::memory_order_relaxed);
  logging::warn("failed to write audit entries", {{"count", static_cast<unsigned long>(failed)},
                                                  {"error", first_error},
                                                  {"path", first_path},
                                                  {"ids", ids}});
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
