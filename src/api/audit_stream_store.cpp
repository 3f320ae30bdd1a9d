#include "api/audit_stream_store.h"

#include <algorithm>

namespace osapi::api {

namespace {

// An id becomes one subject token: anything that would split or widen the subject is refused.
bool valid_token(const std::string& id) {
  return !id.empty() && std::none_of(id.begin(), id.end(), [](unsigned char c) {
    return c == '.' || c == '*' || c == '>' || c <= ' ' || c >= 0x7f;
  });
}

}  // namespace

Result<std::shared_ptr<StreamAuditStore>> StreamAuditStore::open(
    std::shared_ptr<messaging::Connection> conn, std::string stream, std::string subject) {
  auto publisher = conn->batch_publisher();
  if (!publisher.ok()) return publisher.error().wrap("audit stream " + stream);
  return std::make_shared<StreamAuditStore>(std::move(conn), std::move(*publisher),
                                            std::move(stream), std::move(subject));
}

StreamAuditStore::StreamAuditStore(std::shared_ptr<messaging::Connection> conn,
                                   std::unique_ptr<messaging::BatchPublisher> publisher,
                                   std::string stream, std::string subject)
    : conn_(std::move(conn)),
      publisher_(std::move(publisher)),
      stream_(std::move(stream)),
      subject_(std::move(subject)) {}

std::vector<Status> StreamAuditStore::put(const std::vector<AuditRecord>& batch) {
  std::vector<messaging::PublishItem> items;
  items.reserve(batch.size());
  for (const auto& r : batch) items.push_back({subject_ + "." + r.id, r.json, {}});
  return publisher_->publish(items, kAckTimeout);
}

Result<AuditStorePage> StreamAuditStore::read(uint64_t first, uint64_t last, size_t total) {
  AuditStorePage out;
  out.total = total;
  if (last < first) return out;
  auto msgs = conn_->stream_messages(stream_, subject_ + ".>", first, last);
  if (!msgs.ok()) return msgs.error();
  out.values.reserve(msgs->size());
  for (auto it = msgs->rbegin(); it != msgs->rend(); ++it)
    out.values.push_back(std::move(it->data));
  return out;
}

Result<AuditStorePage> StreamAuditStore::newest(size_t offset, size_t limit) {
  auto info = conn_->stream_info(stream_);
  if (!info.ok()) return info.error();
  const size_t total = static_cast<size_t>(info->messages);
  if (total == 0 || limit == 0 || offset >= info->last_sequence) return read(1, 0, total);
  const uint64_t last = info->last_sequence - offset;
  if (last < info->first_sequence) return read(1, 0, total);
  const uint64_t span = last - info->first_sequence + 1;
  const uint64_t first = span > limit ? last - limit + 1 : info->first_sequence;
  return read(first, last, total);
}

Result<AuditStorePage> StreamAuditStore::all() {
  auto info = conn_->stream_info(stream_);
  if (!info.ok()) return info.error();
  const size_t total = static_cast<size_t>(info->messages);
  if (total == 0) return read(1, 0, total);
  return read(info->first_sequence, info->last_sequence, total);
}

Result<std::optional<std::string>> StreamAuditStore::get(const std::string& id) {
  if (!valid_token(id)) return std::optional<std::string>();
  auto msg = conn_->last_stream_message(stream_, subject_ + "." + id);
  if (!msg.ok()) return msg.error();
  if (!msg->has_value()) return std::optional<std::string>();
  return std::optional<std::string>(std::move((*msg)->data));
}

}  // namespace osapi::api
