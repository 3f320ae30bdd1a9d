#include "job/admission.h"

#include <utility>

#include "common/strings.h"
#include "logging/logger.h"

namespace osapi::job {

namespace {

// "Insufficient resources" names no limit of ours that could be re-read: the refusal holds
// readiness this long after the last one (or until a submission goes through).
constexpr auto kResourcesHold = std::chrono::seconds(10);

bool has(const std::string& text, std::string_view needle) {
  return to_lower(text).find(needle) != std::string::npos;
}

}  // namespace

FullKind full_kind(const Error& e) {
  if (has(e.message, "maximum messages exceeded")) return FullKind::kMessages;
  if (has(e.message, "maximum bytes exceeded")) return FullKind::kBytes;
  if (has(e.message, "insufficient resources")) return FullKind::kResources;
  return FullKind::kNone;
}

Admission::Admission(std::shared_ptr<messaging::Connection> conn, std::string stream,
                     std::string bucket, std::chrono::milliseconds recheck)
    : conn_(std::move(conn)),
      stream_(std::move(stream)),
      bucket_(std::move(bucket)),
      recheck_(recheck) {
  for (const char* r : {kReasonStreamFull, kReasonBucketFull, kReasonPublishFailed}) counts_[r] = 0;
}

std::string Admission::limit_text(const std::string& stream_name, FullKind kind) {
  if (kind == FullKind::kResources) return "insufficient resources";
  if (!conn_) return "";
  auto info = conn_->stream_info(stream_name);
  if (!info.ok()) return "";
  if (kind == FullKind::kMessages) return "max_msgs " + std::to_string(info->max_msgs);
  return "max_bytes " + std::to_string(info->max_bytes);
}

Error Admission::refuse(bool stream, const Error& cause, uint64_t needed, const char* reason) {
  Refused r;
  r.stream = stream;
  r.kind = full_kind(cause);
  r.needed = needed;
  r.at = std::chrono::steady_clock::now();
  const std::string name = stream ? stream_ : bucket_;
  const std::string limit = limit_text(stream ? stream_ : "KV_" + bucket_, r.kind);
  r.what = std::string(stream ? "job stream " : "job bucket ") + name + " is full" +
           (limit.empty() ? "" : " (" + limit + ")");
  logging::warn("job submission refused", {{"reason", reason}, {"error", cause.message}});
  {
    std::lock_guard<std::mutex> lk(mu_);
    ++counts_[reason];
    refused_ = r;
    cached_ = r.what;  // full right now: readiness says so at once
    checked_at_ = r.at;
    checked_ = true;
  }
  return Error(ErrorCode::kUnavailable, r.what + ": retry later");
}

Error Admission::stream_full(const Error& cause, uint64_t needed) {
  return refuse(true, cause, needed, kReasonStreamFull);
}

Error Admission::bucket_full(const Error& cause, uint64_t needed) {
  return refuse(false, cause, needed, kReasonBucketFull);
}

void Admission::publish_failed() {
  std::lock_guard<std::mutex> lk(mu_);
  ++counts_[kReasonPublishFailed];
}

void Admission::accepted() {
  std::lock_guard<std::mutex> lk(mu_);
  if (!refused_) return;
  refused_.reset();
  cached_.reset();
}

bool Admission::still_full(const Refused& r) {
  if (r.kind == FullKind::kResources || !conn_)
    return std::chrono::steady_clock::now() - r.at < kResourcesHold;
  auto info = conn_->stream_info(r.stream ? stream_ : "KV_" + bucket_);
  if (!info.ok()) return true;  // cannot tell: keep saying what we last saw
  if (r.kind == FullKind::kMessages)
    return info->max_msgs > 0 && info->messages >= static_cast<uint64_t>(info->max_msgs);
  return info->max_bytes > 0 && info->bytes + r.needed > static_cast<uint64_t>(info->max_bytes);
}

std::optional<std::string> Admission::full() {
  std::optional<Refused> refused;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!refused_) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    if (checked_ && now - checked_at_ < recheck_) return cached_;
    refused = refused_;
  }
  const bool full = still_full(*refused);
  std::lock_guard<std::mutex> lk(mu_);
  checked_at_ = std::chrono::steady_clock::now();
  checked_ = true;
  // A newer refusal or an acceptance while we looked wins over this answer.
  if (!refused_ || refused_->at != refused->at) return cached_;
  if (full) {
    cached_ = refused->what;
  } else {
    refused_.reset();
    cached_.reset();
  }
  return cached_;
}

std::map<std::string, uint64_t> Admission::refusals() const {
  std::lock_guard<std::mutex> lk(mu_);
  return counts_;
}

}  // namespace osapi::job
