// Reading stream messages back: one by sequence, the last on a subject, or a sequence range
// through an ephemeral pull consumer.
#include <nats/nats.h>

#include <openssl/evp.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "messaging/internal.h"

namespace osapi::messaging {

using detail::nats_error;

namespace {

// Pull requests ask for at most this many messages, so a long range never needs one huge
// response buffered in the client.
constexpr uint64_t kFetchBatch = 256;
// A range this short with no subject filter is read with one STREAM.MSG.GET request per
// sequence, all in flight at once, instead of through a consumer: creating, asking and
// deleting an ephemeral consumer costs nats-server far more than a few lookups by sequence,
// and under concurrent readers the consumers pile up in its memory.
constexpr uint64_t kPipelinedRange = 256;
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

// Standard base64 (with padding), as STREAM.MSG.GET encodes headers and data.
bool base64_decode(const std::string& in, std::string& out) {
  out.clear();
  if (in.empty()) return true;
  if (in.size() % 4 != 0) return false;
  out.resize(in.size() / 4 * 3);
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return false;
  size_t len = static_cast<size_t>(n);
  for (size_t i = in.size(); i > 0 && in[i - 1] == '=' && len > 0; --i) --len;
  out.resize(len);
  return true;
}

// "NATS/1.0\r\nKey: value\r\n…\r\n\r\n" → headers.
Headers parse_header_block(const std::string& block) {
  Headers out;
  size_t pos = block.find("\r\n");
  while (pos != std::string::npos) {
    const size_t start = pos + 2;
    pos = block.find("\r\n", start);
    const std::string line = block.substr(start, pos == std::string::npos ? pos : pos - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t v = colon + 1;
    while (v < line.size() && line[v] == ' ') ++v;
    out.emplace_back(line.substr(0, colon), line.substr(v));
  }
  return out;
}

// Every sequence of [first, last] asked of the stream leader at once over one reply
// subscription; missing (deleted or expired) sequences are skipped.
Result<std::vector<StreamMessage>> read_by_sequence(detail::Core& core, const std::string& stream,
                                                    uint64_t first, uint64_t last, Duration timeout,
                                                    const std::string& where) {
  std::vector<StreamMessage> out;
  natsInbox* inbox = nullptr;
  if (natsInbox_Create(&inbox) != NATS_OK) return Error(ErrorCode::kInternal, where + ": inbox");
  const std::string prefix = std::string(inbox) + ".";
  natsInbox_Destroy(inbox);
  natsSubscription* raw = nullptr;
  natsStatus s = natsConnection_SubscribeSync(&raw, core.nc, (prefix + "*").c_str());
  if (s != NATS_OK) return nats_error(where, s);
  std::unique_ptr<natsSubscription, void (*)(natsSubscription*)> sub(raw, natsSubscription_Destroy);
  const std::string api = "$JS.API.STREAM.MSG.GET." + stream;
  const uint64_t count = last - first + 1;
  for (uint64_t i = 0; i < count; ++i) {
    const std::string body = "{\"seq\":" + std::to_string(first + i) + "}";
    s = natsConnection_PublishRequest(core.nc, api.c_str(), (prefix + std::to_string(i)).c_str(),
                                      body.data(), static_cast<int>(body.size()));
    if (s != NATS_OK) return nats_error(where, s);
  }
  std::vector<std::optional<StreamMessage>> got(count);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (uint64_t answered = 0; answered < count;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return nats_error(where, NATS_TIMEOUT);
    natsMsg* m = nullptr;
    s = natsSubscription_NextMsg(&m, sub.get(), left.count());
    if (s != NATS_OK) return nats_error(where, s);
    MsgPtr msg(m, natsMsg_Destroy);
    ++answered;
    const char* subj = natsMsg_GetSubject(m);
    long long index = -1;
    if (subj == nullptr || !parse_int64(std::string(subj).substr(prefix.size()), index) ||
        index < 0 || static_cast<uint64_t>(index) >= count)
      continue;
    const char* data = natsMsg_GetData(m);
    const auto doc = nlohmann::json::parse(
        data == nullptr ? std::string() : std::string(data, natsMsg_GetDataLength(m)), nullptr,
        false);
    if (!doc.is_object()) return Error(ErrorCode::kInternal, where + ": unreadable answer");
    try {
      if (doc.contains("error")) {
        const int code = doc["error"].value("err_code", 0);
        if (code == kNoMessageFound) continue;
        return Error(code == 10059 ? ErrorCode::kNotFound : ErrorCode::kInternal,
                     where + ": " + doc["error"].value("description", std::string("error")) +
                         " (jetstream error " + std::to_string(code) + ")");
      }
      const auto& message = doc.value("message", nlohmann::json::object());
      StreamMessage sm;
      sm.sequence = message.value("seq", uint64_t{0});
      sm.subject = message.value("subject", "");
      std::string hdrs;
      if (!base64_decode(message.value("data", ""), sm.data) ||
          !base64_decode(message.value("hdrs", ""), hdrs))
        return Error(ErrorCode::kInternal, where + ": unreadable message");
      sm.headers = parse_header_block(hdrs);
      got[static_cast<size_t>(index)] = std::move(sm);
    } catch (const nlohmann::json::exception& e) {
      return Error(ErrorCode::kInternal, where + ": unreadable answer: " + e.what());
    }
  }
  for (auto& m : got)
    if (m) out.push_back(std::move(*m));
  return out;
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
  if (filter_subject.empty() && last_seq - first_seq < kPipelinedRange)
    return read_by_sequence(*impl_->core, stream, first_seq, last_seq, timeout, where);

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
