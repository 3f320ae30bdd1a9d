// Reading stream messages back: one by sequence, the last on a subject, or a sequence range
// through an ephemeral pull consumer.
#include <nats/nats.h>

#include <algorithm>

#include "messaging/internal.h"

namespace osapi::messaging {

using detail::nats_error;

namespace {

// Pull requests ask for at most this many messages, so a long range never needs one huge
// response buffered in the client.
constexpr uint64_t kFetchBatch = 256;
// An ephemeral consumer left behind by a crash is removed by the server after this long.
constexpr auto kInactiveThreshold = std::chrono::seconds(30);

constexpr int kNoMessageFound = 10037;

using MsgPtr = std::unique_ptr<natsMsg, void (*)(natsMsg*)>;

StreamMessage to_stream_message(natsMsg* msg, uint64_t sequence) {
  StreamMessage out;
  out.sequence = sequence;
  if (const char* subj = natsMsg_GetSubject(msg)) out.subject = subj;
  if (const char* data = natsMsg_GetData(msg))
    out.data.assign(data, static_cast<size_t>(natsMsg_GetDataLength(msg)));
  out.headers = detail::read_headers(msg);
  return out;
}

// A missing message is an answer, not a failure: JetStream says "no message found" (10037),
// which cnats 3.4.1 reports as NATS_NOT_FOUND or as NATS_ERR with that error code.
bool no_message(natsStatus s, jsErrCode jerr) {
  if (jerr == JSStreamNotFoundErr) return false;  // a missing stream is a failure
  return s == NATS_NOT_FOUND || static_cast<int>(jerr) == kNoMessageFound;
}

// Unsubscribing deletes the ephemeral consumer the subscribe call created (wanted here:
// nothing else will ever read from it).
void drop_ephemeral(natsSubscription* sub) {
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
}

}  // namespace

Result<std::optional<StreamMessage>> Connection::stream_message(const std::string& stream,
                                                                uint64_t seq) {
  natsMsg* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetMsg(&raw, impl_->core->js, stream.c_str(), seq, nullptr, &jerr);
  if (s != NATS_OK) {
    if (no_message(s, jerr)) return std::optional<StreamMessage>();
    return nats_error("get message " + std::to_string(seq) + " of stream " + stream, s, jerr);
  }
  MsgPtr msg(raw, natsMsg_Destroy);
  return std::optional<StreamMessage>(to_stream_message(raw, natsMsg_GetSequence(raw)));
}

Result<std::optional<StreamMessage>> Connection::last_stream_message(const std::string& stream,
                                                                     const std::string& subject) {
  natsMsg* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetLastMsg(&raw, impl_->core->js, stream.c_str(), subject.c_str(), nullptr, &jerr);
  if (s != NATS_OK) {
    if (no_message(s, jerr)) return std::optional<StreamMessage>();
    return nats_error("get last message on " + subject + " of stream " + stream, s, jerr);
  }
  MsgPtr msg(raw, natsMsg_Destroy);
  return std::optional<StreamMessage>(to_stream_message(raw, natsMsg_GetSequence(raw)));
}

Status Connection::delete_stream_message(const std::string& stream, uint64_t seq) {
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_DeleteMsg(impl_->core->js, stream.c_str(), seq, nullptr, &jerr);
  if (s == NATS_OK) return Status::Ok();
  Error e = nats_error("delete message " + std::to_string(seq) + " of stream " + stream, s, jerr);
  // 10057: beyond the newest sequence ("stream store EOF"); 10043 (already gone) maps itself.
  if (static_cast<int>(jerr) == 10057) e.code = ErrorCode::kNotFound;
  return e;
}

Result<std::vector<StreamMessage>> Connection::stream_messages(const std::string& stream,
                                                               const std::string& filter_subject,
                                                               uint64_t first_seq,
                                                               uint64_t last_seq,
                                                               Duration timeout) {
  std::vector<StreamMessage> out;
  first_seq = std::max<uint64_t>(first_seq, 1);
  if (last_seq < first_seq) return out;
  const std::string where = "read stream " + stream + " sequences " + std::to_string(first_seq) +
                            ".." + std::to_string(last_seq);

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = detail::to_millis(timeout);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = first_seq;
  so.Config.AckPolicy = js_AckNone;
  so.Config.MemoryStorage = true;  // nothing to persist for a read that lasts milliseconds
  so.Config.InactiveThreshold = std::chrono::nanoseconds(kInactiveThreshold).count();
  natsSubscription* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  // cnats needs a subject; ">" is every subject, which the server treats as no filter.
  const std::string subject = filter_subject.empty() ? ">" : filter_subject;
  natsStatus s = js_PullSubscribe(&raw, impl_->core->js, subject.c_str(), nullptr, &jo, &so, &jerr);
  if (s != NATS_OK) return nats_error(where, s, jerr);
  std::unique_ptr<natsSubscription, void (*)(natsSubscription*)> sub(raw, drop_ephemeral);

  // How many messages the consumer has to deliver: a fetch on an empty range would otherwise
  // wait for the whole timeout (nats-server 2.9 holds a pull request until something arrives).
  jsConsumerInfo* ci = nullptr;
  jerr = static_cast<jsErrCode>(0);
  s = natsSubscription_GetConsumerInfo(&ci, sub.get(), &jo, &jerr);
  if (s != NATS_OK) return nats_error(where, s, jerr);
  uint64_t pending = ci->NumPending;
  jsConsumerInfo_Destroy(ci);

  const int64_t wait_ms = detail::to_millis(timeout);
  uint64_t next = first_seq;  // lowest sequence not yet seen
  while (pending > 0 && next <= last_seq) {
    const uint64_t want = std::min({kFetchBatch, pending, last_seq - next + 1});
    natsMsgList list{};
    jerr = static_cast<jsErrCode>(0);
    s = natsSubscription_Fetch(&list, sub.get(), static_cast<int>(want), wait_ms, &jerr);
    if (s == NATS_TIMEOUT) break;  // what was pending expired or was deleted meanwhile
    if (s != NATS_OK) {
      natsMsgList_Destroy(&list);
      return nats_error(where, s, jerr);
    }
    for (int i = 0; i < list.Count && next <= last_seq; ++i) {
      natsMsg* m = list.Msgs[i];
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, m) != NATS_OK || meta == nullptr) continue;
      const uint64_t seq = meta->Sequence.Stream;
      pending = meta->NumPending;
      jsMsgMetaData_Destroy(meta);
      if (seq > last_seq) {
        next = seq;
        break;
      }
      out.push_back(to_stream_message(m, seq));
      next = seq + 1;
    }
    const bool empty = list.Count == 0;
    natsMsgList_Destroy(&list);
    if (empty) break;
  }
  return out;
}

}  // namespace osapi::messaging
