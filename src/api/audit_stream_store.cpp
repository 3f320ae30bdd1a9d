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

std::optional<std::pair<uint64_t, uint64_t>> page_range(uint64_t first_seq, uint64_t last_seq,
                                                        const std::vector<uint64_t>& deleted,
                                                        size_t offset, size_t limit) {
  if (limit == 0 || first_seq == 0 || last_seq < first_seq) return std::nullopt;
  // Walk the runs of stored sequences between deleted ones, newest run first.
  uint64_t skip = offset, take = limit, hi = 0, lo = 0;
  uint64_t top = last_seq;
  auto gap = deleted.rbegin();
  for (;;) {
    while (gap != deleted.rend() && *gap > top) ++gap;
    const bool below = gap != deleted.rend() && *gap >= first_seq;
    const uint64_t bottom = below ? *gap + 1 : first_seq;
    if (top >= bottom) {
      const uint64_t run = top - bottom + 1;
      if (skip >= run) {
        skip -= run;
      } else {
        const uint64_t start = top - skip;
        skip = 0;
        if (hi == 0) hi = start;
        const uint64_t available = start - bottom + 1;
        if (take <= available) return std::make_pair(start - take + 1, hi);
        take -= available;
        lo = bottom;
      }
    }
    if (!below || *gap <= first_seq) break;
    top = *gap - 1;
    ++gap;
  }
  if (hi == 0) return std::nullopt;
  return std::make_pair(lo, hi);
}

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
  // The entry id as message id: a resend within the stream's duplicate window is dropped by
  // the server.
  for (const auto& r : batch)
    items.push_back({subject_ + "." + r.id, r.json, {{"Nats-Msg-Id", r.id}}});
  return publisher_->publish(items, kAckTimeout);
}

std::vector<Status> StreamAuditStore::replay(const std::vector<AuditRecord>& batch) {
  std::vector<messaging::PublishItem> items;
  items.reserve(batch.size());
  // Every entry has a subject of its own: "this subject holds no message yet" makes the
  // server refuse an entry it already stored, however long ago (the duplicate window covers
  // only the last minutes).
  for (const auto& r : batch)
    items.push_back({subject_ + "." + r.id,
                     r.json,
                     {{"Nats-Msg-Id", r.id}, {"Nats-Expected-Last-Subject-Sequence", "0"}}});
  auto results = publisher_->publish(items, kAckTimeout);
  for (auto& st : results)
    if (!st.ok() && is_already_stored(st.error())) st = Status::Ok();
  return results;
}

bool StreamAuditStore::is_already_stored(const Error& e) {
  // JetStream error 10071: wrong last sequence (the subject already holds the entry).
  return e.message.find("(jetstream error 10071)") != std::string::npos;
}

bool StreamAuditStore::available() {
  return conn_->connected();
}

Result<AuditStorePage> StreamAuditStore::read(uint64_t first, uint64_t last, size_t total) {
  AuditStorePage out;
  out.total = total;
  if (last < first) return out;
  // No subject filter: the stream holds audit entries only, and an unfiltered read is cheap.
  auto msgs = conn_->stream_messages(stream_, "", first, last);
  if (!msgs.ok()) return msgs.error();
  out.values.reserve(msgs->size());
  for (auto it = msgs->rbegin(); it != msgs->rend(); ++it)
    out.values.push_back(std::move(it->data));
  return out;
}

Result<AuditStorePage> StreamAuditStore::newest(size_t offset, size_t limit) {
  auto info = conn_->stream_info(stream_, /*deleted_details=*/true);
  if (!info.ok()) return info.error();
  const size_t total = static_cast<size_t>(info->messages);
  const auto range = total == 0 ? std::nullopt
                                : page_range(info->first_sequence, info->last_sequence,
                                             info->deleted_sequences, offset, limit);
  if (!range) return read(1, 0, total);
  return read(range->first, range->second, total);
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
