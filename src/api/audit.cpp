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

// --- KV store ---------------------------------------------------------------------------------

Status KvAuditStore::put(const std::string& key, const std::string& value) {
  auto rev = kv_->put(key, value);
  if (!rev.ok()) return rev.error();
  return Status::Ok();
}

Result<std::vector<std::string>> KvAuditStore::keys() {
  return kv_->keys();
}

Result<std::optional<std::string>> KvAuditStore::get(const std::string& key) {
  auto e = kv_->get(key);
  if (!e.ok()) return e.error();
  if (!e->has_value()) return std::optional<std::string>();
  return std::optional<std::string>((*e)->value);
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
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && queue_.size() < max_pending_) {
      queue_.push_back(std::move(entry));
      cv_.notify_one();
      return;
    }
  }
  g_write_failures.fetch_add(1, std::memory_order_relaxed);
  logging::warn("audit entry dropped: too many pending writes",
                {{"path", entry.path}, {"user", entry.user}});
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
    if (!queue_.empty())
      logging::warn("audit entries not written at shutdown",
                    {{"count", static_cast<unsigned long>(queue_.size())}});
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
    AuditEntry entry = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    // Paths are raw request bytes: invalid UTF-8 is replaced rather than thrown on.
    const Status st =
        store_->put(entry.id, to_json(entry).dump(-1, ' ', false, json::error_handler_t::replace));
    if (!st.ok()) {
      g_write_failures.fetch_add(1, std::memory_order_relaxed);
      logging::warn("failed to write audit entry",
                    {{"id", entry.id}, {"path", entry.path}, {"error", st.error().message}});
    }
    lock.lock();
    writing_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

Result<AuditPage> AuditLog::page(size_t limit, size_t offset, bool all) {
  auto keys = store_->keys();
  if (!keys.ok()) return keys.error();
  std::vector<std::string> sorted = std::move(*keys);
  std::sort(sorted.begin(), sorted.end(), std::greater<>());  // v7 ids: newest first
  AuditPage out;
  out.total_items = sorted.size();
  if (all) {
    offset = 0;
    limit = sorted.size();
  }
  if (offset >= sorted.size()) return out;
  const size_t end = std::min(sorted.size(), offset + limit);
  for (size_t i = offset; i < end; ++i) {
    auto value = store_->get(sorted[i]);
    if (!value.ok()) return value.error();
    if (!value->has_value()) continue;  // expired between listing and reading
    auto doc = nlohmann::json::parse(**value, nullptr, false);
    auto entry = audit_entry_from_json(doc);
    if (!entry.ok()) {
      logging::debug("skipping unreadable audit entry", {{"key", sorted[i]}});
      continue;
    }
    out.items.push_back(std::move(*entry));
  }
  return out;
}

Result<AuditPage> AuditLog::list(size_t limit, size_t offset) {
  return page(limit, offset, false);
}

Result<AuditPage> AuditLog::export_all() {
  return page(0, 0, true);
}

Result<AuditEntry> AuditLog::get(const std::string& id) {
  auto value = store_->get(id);
  if (!value.ok()) return value.error();
  if (!value->has_value()) return Error(ErrorCode::kNotFound, "audit entry not found");
  auto entry = audit_entry_from_json(nlohmann::json::parse(**value, nullptr, false));
  if (!entry.ok()) return entry.error();
  return entry;
}

}  // namespace osapi::api
