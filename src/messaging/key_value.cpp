// KV buckets: ensure/bind, CRUD, keys, watchers, status.
#include <nats/nats.h>

#include <algorithm>
#include <set>

#include "messaging/internal.h"

namespace osapi::messaging {

using detail::nats_error;

namespace {

constexpr int64_t kKeysTimeoutMs = 5000;

std::string kv_stream(const std::string& bucket) {
  return "KV_" + bucket;
}

bool valid_key(const std::string& key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '/' || c == '_' || c == '=' || c == '.';
  });
}

KvEntry to_entry(kvEntry* e) {
  KvEntry out;
  if (const char* k = kvEntry_Key(e)) out.key = k;
  if (const void* v = kvEntry_Value(e))
    out.value.assign(static_cast<const char*>(v), static_cast<size_t>(kvEntry_ValueLen(e)));
  out.revision = kvEntry_Revision(e);
  out.created_unix_nano = kvEntry_Created(e);
  const kvOperation op = kvEntry_Operation(e);
  out.deleted = op == kvOp_Delete || op == kvOp_Purge;
  return out;
}

Result<std::shared_ptr<KeyValue>> bind_bucket(const std::shared_ptr<detail::Core>& core,
                                              const std::string& bucket) {
  kvStore* kv = nullptr;
  const natsStatus s = js_KeyValue(&kv, core->js, bucket.c_str());
  if (s != NATS_OK) {
    Error e = nats_error("bind KV bucket " + bucket, s);
    if (s == NATS_NOT_FOUND) e.code = ErrorCode::kNotFound;
    return e;
  }
  auto impl = std::make_unique<KeyValue::Impl>();
  impl->core = core;
  impl->kv = kv;
  impl->bucket = bucket;
  return std::make_shared<KeyValue>(std::move(impl));
}

}  // namespace

Result<std::shared_ptr<KeyValue>> Connection::key_value(const std::string& bucket) {
  return bind_bucket(impl_->core, bucket);
}

Result<std::shared_ptr<KeyValue>> Connection::ensure_key_value(const KvSpec& spec,
                                                               bool update_existing) {
  auto& core = impl_->core;
  if (spec.history < 1 || spec.history > 64)
    return Error(ErrorCode::kInvalidArgument, "KV bucket " + spec.bucket + ": history 1..64");
  auto existing = detail::get_stream_info(*core, kv_stream(spec.bucket));
  if (!existing.ok() && existing.error().code != ErrorCode::kNotFound) return existing.error();

  if (!existing.ok()) {
    // The stream behind the bucket, laid out the way cnats' js_CreateKeyValue does (rollup,
    // no deletes, discard new) but with our direct-get choice: cnats always turns direct get
    // on, and a replica that lags behind then answers reads with "not found".
    const std::string stream = kv_stream(spec.bucket);
    const std::string subject = "$KV." + spec.bucket + ".>";
    const char* subjects[] = {subject.c_str()};
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = stream.c_str();
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.MaxMsgsPerSubject = spec.history;
    sc.MaxBytes = spec.max_bytes == 0 ? -1 : spec.max_bytes;
    sc.MaxAge = spec.ttl.count();
    sc.MaxMsgSize = -1;
    sc.Storage = spec.storage == "memory" ? js_MemoryStorage : js_FileStorage;
    sc.Replicas = spec.replicas > 0 ? spec.replicas : 1;
    sc.AllowRollup = true;
    sc.DenyDelete = true;
    sc.AllowDirect = spec.allow_direct;
    sc.Discard = js_DiscardNew;
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_AddStream(&si, core->js, &sc, nullptr, &jerr);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(si);
    } else {
      Error e = nats_error("create KV bucket " + spec.bucket, s, jerr);
      // Created concurrently (e.g. API and agent starting together) is fine.
      if (update_existing || !detail::get_stream_info(*core, stream).ok()) return e;
    }
  } else if (update_existing) {
    // Keep the KV-specific stream settings; change only ours (a bucket created with direct get
    // loses it here when the spec says so).
    jsStreamConfig* cfg = (*existing)->Config;
    cfg->MaxMsgsPerSubject = spec.history;
    cfg->MaxAge = spec.ttl.count();
    cfg->MaxBytes = spec.max_bytes;
    cfg->Replicas = spec.replicas;
    cfg->AllowDirect = spec.allow_direct;
    const int64_t dup = std::chrono::nanoseconds(std::chrono::minutes(2)).count();
    cfg->Duplicates = (cfg->MaxAge > 0 && cfg->MaxAge < dup) ? cfg->MaxAge : dup;
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_UpdateStream(&si, core->js, cfg, nullptr, &jerr);
    if (s != NATS_OK) return nats_error("update KV bucket " + spec.bucket, s, jerr);
    jsStreamInfo_Destroy(si);
  }
  return bind_bucket(core, spec.bucket);
}

KeyValue::KeyValue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeyValue::~KeyValue() = default;

const std::string& KeyValue::bucket() const {
  return impl_->bucket;
}

Result<uint64_t> KeyValue::put(const std::string& key, const std::string& value) {
  uint64_t rev = 0;
  const natsStatus s =
      kvStore_Put(&rev, impl_->kv, key.c_str(), value.data(), static_cast<int>(value.size()));
  if (s != NATS_OK) return nats_error("KV put " + impl_->bucket + "/" + key, s);
  return rev;
}

Status KeyValue::put_async(const std::string& key, const std::string& value) {
  if (!valid_key(key))
    return Error(ErrorCode::kInvalidArgument, "KV put " + impl_->bucket + ": invalid key");
  const std::string subject = "$KV." + impl_->bucket + "." + key;
  const natsStatus s = js_PublishAsync(impl_->core->js, subject.c_str(), value.data(),
                                       static_cast<int>(value.size()), nullptr);
  if (s != NATS_OK) return nats_error("KV async put " + impl_->bucket + "/" + key, s);
  return Status::Ok();
}

uint64_t KeyValue::reconnects() const {
  natsStatistics* stats = nullptr;
  if (natsStatistics_Create(&stats) != NATS_OK) return 0;
  uint64_t in_msgs = 0, in_bytes = 0, out_msgs = 0, out_bytes = 0, reconnects = 0;
  if (natsConnection_GetStats(impl_->core->nc, stats) == NATS_OK)
    natsStatistics_GetCounts(stats, &in_msgs, &in_bytes, &out_msgs, &out_bytes, &reconnects);
  natsStatistics_Destroy(stats);
  return reconnects;
}

Result<uint64_t> KeyValue::create(const std::string& key, const std::string& value) {
  // Our own publish instead of kvStore_Create: cnats 3.4.1 hides the JetStream error code, and
  // "exists" is only distinguishable by it (10071, stack.md trap 3).
  if (!valid_key(key))
    return Error(ErrorCode::kInvalidArgument, "KV create " + impl_->bucket + ": invalid key");
  const std::string subject = "$KV." + impl_->bucket + "." + key;
  auto publish = [&](bool expect_none, uint64_t last, jsErrCode& jerr) -> Result<uint64_t> {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    if (expect_none)
      po.ExpectNoMessage = true;
    else
      po.ExpectLastSubjectSeq = last;
    jsPubAck* pa = nullptr;
    jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_Publish(&pa, impl_->core->js, subject.c_str(), value.data(),
                                    static_cast<int>(value.size()), &po, &jerr);
    if (s != NATS_OK) return nats_error("KV create " + impl_->bucket + "/" + key, s, jerr);
    const uint64_t seq = pa->Sequence;
    jsPubAck_Destroy(pa);
    return seq;
  };
  const auto exists = [&] {
    return Error(ErrorCode::kAlreadyExists,
                 "KV create " + impl_->bucket + "/" + key + ": key exists");
  };

  jsErrCode jerr;
  auto r = publish(true, 0, jerr);
  if (r.ok() || jerr != JSStreamWrongLastSequenceErr) return r;

  // The last entry may be a delete/purge marker: then the key counts as absent.
  natsMsg* last = nullptr;
  jsErrCode gerr = static_cast<jsErrCode>(0);
  const natsStatus gs = js_GetLastMsg(&last, impl_->core->js, kv_stream(impl_->bucket).c_str(),
                                      subject.c_str(), nullptr, &gerr);
  if (gs != NATS_OK) return exists();
  const char* op = nullptr;
  const bool marker = natsMsgHeader_Get(last, "KV-Operation", &op) == NATS_OK && op != nullptr &&
                      (std::string(op) == "DEL" || std::string(op) == "PURGE");
  const uint64_t seq = natsMsg_GetSequence(last);
  natsMsg_Destroy(last);
  if (!marker) return exists();
  r = publish(false, seq, jerr);
  if (!r.ok() && jerr == JSStreamWrongLastSequenceErr) return exists();
  return r;
}

Result<std::optional<KvEntry>> KeyValue::get(const std::string& key) {
  kvEntry* e = nullptr;
  const natsStatus s = kvStore_Get(&e, impl_->kv, key.c_str());
  if (s == NATS_NOT_FOUND) return std::optional<KvEntry>();
  if (s != NATS_OK) return nats_error("KV get " + impl_->bucket + "/" + key, s);
  KvEntry out = to_entry(e);
  kvEntry_Destroy(e);
  return std::optional<KvEntry>(std::move(out));
}

Result<std::optional<KvEntry>> KeyValue::get_revision(const std::string& key, uint64_t revision) {
  if (revision == 0) return std::optional<KvEntry>();
  natsMsg* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  // js_GetMsg asks the stream leader ($JS.API.STREAM.MSG.GET), never a direct get.
  const natsStatus s =
      js_GetMsg(&raw, impl_->core->js, kv_stream(impl_->bucket).c_str(), revision, nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) return std::optional<KvEntry>();
  if (s != NATS_OK)
    return nats_error(
        "KV get " + impl_->bucket + "/" + key + " at revision " + std::to_string(revision), s,
        jerr);
  std::unique_ptr<natsMsg, void (*)(natsMsg*)> msg(raw, natsMsg_Destroy);
  const std::string subject = "$KV." + impl_->bucket + "." + key;
  const char* subj = natsMsg_GetSubject(raw);
  if (subj == nullptr || subject != subj) return std::optional<KvEntry>();
  const char* op = nullptr;
  if (natsMsgHeader_Get(raw, "KV-Operation", &op) == NATS_OK && op != nullptr &&
      (std::string(op) == "DEL" || std::string(op) == "PURGE"))
    return std::optional<KvEntry>();
  KvEntry out;
  out.key = key;
  if (const char* d = natsMsg_GetData(raw))
    out.value.assign(d, static_cast<size_t>(natsMsg_GetDataLength(raw)));
  out.revision = natsMsg_GetSequence(raw);
  out.created_unix_nano = natsMsg_GetTime(raw);
  return std::optional<KvEntry>(std::move(out));
}

Result<std::optional<KvEntry>> KeyValue::last(const std::string& filter) {
  const std::string subject = "$KV." + impl_->bucket + "." + filter;
  natsMsg* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetLastMsg(&raw, impl_->core->js, kv_stream(impl_->bucket).c_str(),
                                     subject.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) return std::optional<KvEntry>();
  if (s != NATS_OK) return nats_error("KV last " + impl_->bucket + "/" + filter, s, jerr);
  std::unique_ptr<natsMsg, void (*)(natsMsg*)> msg(raw, natsMsg_Destroy);
  const char* op = nullptr;
  if (natsMsgHeader_Get(raw, "KV-Operation", &op) == NATS_OK && op != nullptr &&
      (std::string(op) == "DEL" || std::string(op) == "PURGE"))
    return std::optional<KvEntry>();
  KvEntry out;
  const std::string prefix = "$KV." + impl_->bucket + ".";
  const std::string subj = natsMsg_GetSubject(raw);
  out.key = subj.rfind(prefix, 0) == 0 ? subj.substr(prefix.size()) : subj;
  if (const char* d = natsMsg_GetData(raw))
    out.value.assign(d, static_cast<size_t>(natsMsg_GetDataLength(raw)));
  out.revision = natsMsg_GetSequence(raw);
  return std::optional<KvEntry>(std::move(out));
}

Status KeyValue::del(const std::string& key) {
  const natsStatus s = kvStore_Delete(impl_->kv, key.c_str());
  if (s != NATS_OK) return nats_error("KV delete " + impl_->bucket + "/" + key, s);
  return Status::Ok();
}

Status KeyValue::purge(const std::string& key) {
  const natsStatus s = kvStore_Purge(impl_->kv, key.c_str(), nullptr);
  if (s != NATS_OK) return nats_error("KV purge " + impl_->bucket + "/" + key, s);
  return Status::Ok();
}

Result<std::vector<std::string>> KeyValue::keys(const std::string& filter) {
  std::vector<std::string> out;
  kvWatchOptions wo;
  kvWatchOptions_Init(&wo);
  wo.Timeout = kKeysTimeoutMs;
  // Watch the filter (last values, no deletes, no payloads) until the initial-values marker,
  // within one overall deadline. Not kvStore_Keys: it charges its whole elapsed time against
  // the timeout of every key, so a bucket of a few hundred keys already "times out".
  wo.IgnoreDeletes = true;
  wo.MetaOnly = true;
  kvWatcher* w = nullptr;
  natsStatus s = kvStore_Watch(&w, impl_->kv, filter.c_str(), &wo);
  if (s != NATS_OK) return nats_error("KV keys " + impl_->bucket + " " + filter, s);
  std::unique_ptr<kvWatcher, void (*)(kvWatcher*)> guard(w, kvWatcher_Destroy);
  std::set<std::string> seen;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kKeysTimeoutMs);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return Error(ErrorCode::kTimeout, "KV keys " + impl_->bucket + ": timeout");
    kvEntry* e = nullptr;
    s = kvWatcher_Next(&e, w, left);
    if (s != NATS_OK) return nats_error("KV keys " + impl_->bucket + " " + filter, s);
    if (e == nullptr) break;  // initial values done
    const kvOperation op = kvEntry_Operation(e);
    if (op != kvOp_Delete && op != kvOp_Purge) {
      if (const char* k = kvEntry_Key(e); k && seen.insert(k).second) out.emplace_back(k);
    }
    kvEntry_Destroy(e);
  }
  return out;
}

Result<std::unique_ptr<Watcher>> KeyValue::watch(const std::string& key_pattern,
                                                 const WatchOptions& options) {
  kvWatchOptions wo;
  kvWatchOptions_Init(&wo);
  wo.MetaOnly = options.meta_only;
  wo.IgnoreDeletes = options.ignore_deletes;
  // Creating the consumer behind a watch of a large bucket makes nats-server count what it
  // will deliver first: give that more than the default 5 s on a busy server.
  wo.Timeout = 30000;
  kvWatcher* w = nullptr;
  const natsStatus s = kvStore_Watch(&w, impl_->kv, key_pattern.c_str(), &wo);
  if (s != NATS_OK) return nats_error("KV watch " + impl_->bucket + " " + key_pattern, s);
  auto impl = std::make_unique<Watcher::Impl>();
  impl->core = impl_->core;
  impl->w = w;
  return std::make_unique<Watcher>(std::move(impl));
}

Result<BucketStatus> KeyValue::status() {
  auto si = detail::get_stream_info(*impl_->core, kv_stream(impl_->bucket));
  if (!si.ok()) return si.error().wrap("KV status " + impl_->bucket);
  BucketStatus out;
  out.bucket = impl_->bucket;
  out.values = (*si)->State.Msgs;
  out.bytes = (*si)->State.Bytes;
  out.last_sequence = (*si)->State.LastSeq;
  if ((*si)->Config != nullptr) {
    out.ttl = Duration((*si)->Config->MaxAge);
    out.max_bytes = (*si)->Config->MaxBytes;
  }
  return out;
}

Watcher::Watcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Watcher::~Watcher() = default;

bool Watcher::initial_done() const {
  return impl_->initial_done;
}

Result<std::optional<KvEntry>> Watcher::next(Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<Duration>(deadline - std::chrono::steady_clock::now());
    kvEntry* e = nullptr;
    const natsStatus s = kvWatcher_Next(&e, impl_->w, detail::to_millis(left));
    if (s == NATS_TIMEOUT) return std::optional<KvEntry>();
    if (s != NATS_OK) return nats_error("KV watch next", s);
    if (e == nullptr) {
      impl_->initial_done = true;  // marker: swallow and keep waiting within the budget
      if (std::chrono::steady_clock::now() >= deadline) return std::optional<KvEntry>();
      continue;
    }
    KvEntry out = to_entry(e);
    kvEntry_Destroy(e);
    return std::optional<KvEntry>(std::move(out));
  }
}

}  // namespace osapi::messaging
