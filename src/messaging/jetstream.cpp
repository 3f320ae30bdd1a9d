// Streams and durable pull consumers. Consumers are created with js_AddConsumer only and bound
// by name, never created by a subscribe call (stack.md trap 1).
#include <nats/nats.h>

#include <algorithm>
#include <vector>

#include "messaging/internal.h"

namespace osapi::messaging {

using detail::nats_error;

namespace {

int64_t nanos(Duration d) {
  return d.count();
}

// The dedupe window may not exceed max_age.
int64_t duplicate_window(const StreamSpec& spec) {
  int64_t dup = nanos(spec.duplicate_window);
  if (spec.max_age.count() > 0 && dup > nanos(spec.max_age)) dup = nanos(spec.max_age);
  return dup;
}

}  // namespace

// nats-server 2.9 memory streams leave a deleted newest sequence out of the deleted list (file
// streams list it). The counts show how many are missing; probe downwards from the newest.
void Connection::complete_deleted(StreamInfo& info) {
  if (info.messages == 0 || info.last_sequence < info.first_sequence) return;
  const uint64_t span = info.last_sequence - info.first_sequence + 1;
  if (span <= info.messages + info.deleted_sequences.size()) return;
  uint64_t unlisted = span - info.messages - info.deleted_sequences.size();
  for (uint64_t seq = info.last_sequence; unlisted > 0 && seq > info.first_sequence; --seq) {
    if (std::binary_search(info.deleted_sequences.begin(), info.deleted_sequences.end(), seq))
      continue;
    auto msg = stream_message(info.name, seq);
    if (!msg.ok() || msg->has_value()) return;  // the gap is elsewhere: leave the list as is
    info.deleted_sequences.push_back(seq);
    --unlisted;
  }
  std::sort(info.deleted_sequences.begin(), info.deleted_sequences.end());
}

Status Connection::ensure_stream(const StreamSpec& spec, bool update_existing) {
  auto& core = *impl_->core;
  auto existing = detail::get_stream_info(core, spec.name);
  if (existing.ok() && !update_existing) return Status::Ok();
  if (!existing.ok() && existing.error().code != ErrorCode::kNotFound) return existing.error();

  std::vector<const char*> subjects;
  for (const auto& s : spec.subjects) subjects.push_back(s.c_str());
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Retention = js_LimitsPolicy;
  cfg.MaxAge = nanos(spec.max_age);
  cfg.MaxMsgs = spec.max_msgs;
  cfg.MaxBytes = spec.max_bytes;
  cfg.Storage = spec.storage == "memory" ? js_MemoryStorage : js_FileStorage;
  cfg.Replicas = spec.replicas;
  cfg.Discard = spec.discard == "new" ? js_DiscardNew : js_DiscardOld;
  cfg.Duplicates = duplicate_window(spec);
  cfg.AllowRollup = spec.allow_rollup;
  cfg.AllowDirect = spec.allow_direct;

  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s;
  if (existing.ok()) {
    s = js_UpdateStream(&si, core.js, &cfg, nullptr, &jerr);
    if (s != NATS_OK) return nats_error("update stream " + spec.name, s, jerr);
  } else {
    s = js_AddStream(&si, core.js, &cfg, nullptr, &jerr);
    // Another process may have created it meanwhile: that is what we wanted.
    if (s != NATS_OK && jerr == JSStreamNameExistErr && !update_existing) return Status::Ok();
    if (s != NATS_OK) return nats_error("create stream " + spec.name, s, jerr);
  }
  jsStreamInfo_Destroy(si);
  return Status::Ok();
}

Result<StreamInfo> Connection::stream_info(const std::string& name, bool deleted_details) {
  auto si = detail::get_stream_info(*impl_->core, name, deleted_details);
  if (!si.ok()) return si.error();
  const jsStreamInfo& i = **si;
  StreamInfo out;
  out.name = name;
  out.messages = i.State.Msgs;
  out.bytes = i.State.Bytes;
  out.consumers = i.State.Consumers;
  out.first_sequence = i.State.Msgs > 0 ? i.State.FirstSeq : 0;
  out.last_sequence = i.State.LastSeq;
  out.deleted = i.State.NumDeleted;
  if (i.State.Deleted != nullptr)
    out.deleted_sequences.assign(i.State.Deleted, i.State.Deleted + i.State.DeletedLen);
  std::sort(out.deleted_sequences.begin(), out.deleted_sequences.end());
  if (deleted_details) complete_deleted(out);
  if (i.Config != nullptr) {
    out.max_age = Duration(i.Config->MaxAge);
    out.max_msgs = i.Config->MaxMsgs;
    out.max_bytes = i.Config->MaxBytes;
    for (int k = 0; k < i.Config->SubjectsLen; ++k)
      out.subjects.emplace_back(i.Config->Subjects[k]);
    out.storage = i.Config->Storage == js_MemoryStorage ? "memory" : "file";
    out.replicas = static_cast<int>(i.Config->Replicas);
    out.discard = i.Config->Discard == js_DiscardNew ? "new" : "old";
    out.duplicate_window = Duration(i.Config->Duplicates);
    out.max_msgs_per_subject = i.Config->MaxMsgsPerSubject;
    out.allow_direct = i.Config->AllowDirect;
  }
  return out;
}

Result<std::vector<ConsumerState>> Connection::consumers(const std::string& stream) {
  jsConsumerInfoList* list = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_Consumers(&list, impl_->core->js, stream.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND) return std::vector<ConsumerState>{};  // a stream without consumers
  if (s != NATS_OK) return nats_error("list consumers of " + stream, s, jerr);
  std::unique_ptr<jsConsumerInfoList, void (*)(jsConsumerInfoList*)> guard(
      list, jsConsumerInfoList_Destroy);
  std::vector<ConsumerState> out;
  for (int i = 0; list != nullptr && i < list->Count; ++i) {
    const jsConsumerInfo* ci = list->List[i];
    if (ci == nullptr) continue;
    out.push_back(
        {ci->Name ? ci->Name : "", ci->NumPending, ci->NumAckPending, ci->NumRedelivered});
  }
  return out;
}

Result<ConsumerInfo> Connection::consumer_info(const std::string& stream,
                                               const std::string& durable) {
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetConsumerInfo(&ci, impl_->core->js, stream.c_str(), durable.c_str(), nullptr, &jerr);
  if (s != NATS_OK) {
    Error e = nats_error("consumer info " + stream + "/" + durable, s, jerr);
    if (s == NATS_NOT_FOUND) e.code = ErrorCode::kNotFound;
    return e;
  }
  std::unique_ptr<jsConsumerInfo, void (*)(jsConsumerInfo*)> guard(ci, jsConsumerInfo_Destroy);
  ConsumerInfo out;
  out.stream = ci->Stream ? ci->Stream : stream;
  out.name = ci->Name ? ci->Name : durable;
  out.num_pending = ci->NumPending;
  out.num_ack_pending = ci->NumAckPending;
  out.num_redelivered = ci->NumRedelivered;
  if (const jsConsumerConfig* c = ci->Config) {
    if (c->FilterSubject) out.filter_subject = c->FilterSubject;
    switch (c->DeliverPolicy) {
      case js_DeliverAll:
        out.deliver_policy = "all";
        break;
      case js_DeliverLast:
        out.deliver_policy = "last";
        break;
      case js_DeliverNew:
        out.deliver_policy = "new";
        break;
      case js_DeliverByStartSequence:
        out.deliver_policy = "by_start_sequence";
        break;
      case js_DeliverByStartTime:
        out.deliver_policy = "by_start_time";
        break;
      case js_DeliverLastPerSubject:
        out.deliver_policy = "last_per_subject";
        break;
      default:
        out.deliver_policy = "unknown";
        break;
    }
    out.ack_policy = c->AckPolicy == js_AckExplicit ? "explicit"
                     : c->AckPolicy == js_AckAll    ? "all"
                                                    : "none";
    out.replay_policy = c->ReplayPolicy == js_ReplayOriginal ? "original" : "instant";
    out.ack_wait = Duration(c->AckWait);
    out.max_deliver = c->MaxDeliver;
    out.max_ack_pending = c->MaxAckPending;
    for (int k = 0; k < c->BackOffLen; ++k) out.backoff.push_back(Duration(c->BackOff[k]));
  }
  return out;
}

Status Connection::ensure_consumer(const std::string& stream, const ConsumerSpec& spec,
                                   bool update_existing) {
  auto& core = *impl_->core;
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s =
      js_GetConsumerInfo(&ci, core.js, stream.c_str(), spec.durable.c_str(), nullptr, &jerr);
  const bool exists = s == NATS_OK;
  if (!exists && s != NATS_NOT_FOUND && jerr != JSConsumerNotFoundErr)
    return nats_error("consumer info " + stream + "/" + spec.durable, s, jerr);
  if (exists && !update_existing) {
    jsConsumerInfo_Destroy(ci);
    return Status::Ok();
  }

  std::vector<int64_t> backoff;
  for (auto d : spec.backoff) backoff.push_back(nanos(d));
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = spec.durable.c_str();
  cc.FilterSubject = spec.filter_subject.empty() ? nullptr : spec.filter_subject.c_str();
  cc.DeliverPolicy = spec.deliver_policy == "new" ? js_DeliverNew : js_DeliverAll;
  // The deliver policy of an existing durable is never changed (the server rejects it).
  if (exists && ci->Config != nullptr) cc.DeliverPolicy = ci->Config->DeliverPolicy;
  cc.AckPolicy = js_AckExplicit;
  cc.AckWait = nanos(spec.ack_wait);
  cc.MaxDeliver = spec.max_deliver;
  cc.MaxAckPending = spec.max_ack_pending;
  cc.ReplayPolicy = spec.replay_policy == "original" ? js_ReplayOriginal : js_ReplayInstant;
  if (!backoff.empty()) {
    cc.BackOff = backoff.data();
    cc.BackOffLen = static_cast<int>(backoff.size());
  }
  if (ci != nullptr) jsConsumerInfo_Destroy(ci);
  ci = nullptr;

  jerr = static_cast<jsErrCode>(0);
  if (exists) {
    s = js_UpdateConsumer(&ci, core.js, stream.c_str(), &cc, nullptr, &jerr);
    if (s != NATS_OK) return nats_error("update consumer " + stream + "/" + spec.durable, s, jerr);
  } else {
    s = js_AddConsumer(&ci, core.js, stream.c_str(), &cc, nullptr, &jerr);
    if (s != NATS_OK && !update_existing &&
        (jerr == JSConsumerNameExistErr || static_cast<int>(jerr) == 10148))
      return Status::Ok();  // created concurrently by another agent
    if (s != NATS_OK) return nats_error("create consumer " + stream + "/" + spec.durable, s, jerr);
  }
  jsConsumerInfo_Destroy(ci);
  return Status::Ok();
}

Result<std::unique_ptr<PullSubscription>> Connection::bind_pull(const std::string& stream,
                                                                const std::string& durable,
                                                                const std::string& filter_subject) {
  auto& core = impl_->core;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Consumer = durable.c_str();  // bind: the consumer must exist, nothing is created
  natsSubscription* sub = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_PullSubscribe(&sub, core->js, filter_subject.c_str(), durable.c_str(),
                                        nullptr, &so, &jerr);
  if (s != NATS_OK) return nats_error("bind pull consumer " + stream + "/" + durable, s, jerr);
  auto impl = std::make_unique<PullSubscription::Impl>();
  impl->core = core;
  impl->sub = sub;
  return std::make_unique<PullSubscription>(std::move(impl));
}

PullSubscription::PullSubscription(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PullSubscription::~PullSubscription() = default;

Result<std::vector<Message>> PullSubscription::fetch(int batch, Duration timeout) {
  natsMsgList list{};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      natsSubscription_Fetch(&list, impl_->sub, batch, detail::to_millis(timeout), &jerr);
  std::vector<Message> out;
  if (s == NATS_TIMEOUT) {
    natsMsgList_Destroy(&list);
    return out;
  }
  if (s != NATS_OK) {
    natsMsgList_Destroy(&list);
    return nats_error("fetch", s, jerr);
  }
  out.reserve(static_cast<size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    out.push_back(detail::wrap_message(list.Msgs[i], impl_->core));
    list.Msgs[i] = nullptr;  // ownership moved to Message
  }
  natsMsgList_Destroy(&list);
  return out;
}

}  // namespace osapi::messaging
