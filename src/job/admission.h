// Admission of job submissions: a submission whose notification stream or job bucket has no
// room is refused (503, naming the full resource) instead of being accepted and dropped later.
// Counts refusals by reason for /metrics and remembers the last full resource, so readiness
// reports not-ready while it stays full and recovers by itself once space frees.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "messaging/nats.h"

namespace osapi::job {

// Which limit a JetStream error says was hit.
enum class FullKind {
  kNone,       // not a "full" error
  kMessages,   // "maximum messages exceeded"
  kBytes,      // "maximum bytes exceeded"
  kResources,  // "insufficient resources" (server or account storage)
};

// Classifies a publish or KV put error by its text (the server's description travels in it).
FullKind full_kind(const Error& e);

// Refusal reasons, the `reason` label of osapi_jobs_refused_total.
inline constexpr const char* kReasonStreamFull = "stream_full";
inline constexpr const char* kReasonBucketFull = "bucket_full";
inline constexpr const char* kReasonPublishFailed = "publish_failed";

class Admission {
 public:
  // `stream`: the jobs stream; `bucket`: the jobs KV bucket (both already namespaced).
  // `recheck`: how long a readiness answer is reused before the resource is looked at again.
  Admission(std::shared_ptr<messaging::Connection> conn, std::string stream, std::string bucket,
            std::chrono::milliseconds recheck = std::chrono::seconds(1));

  // A refusal because the jobs stream is full. `needed`: bytes the refused message takes.
  // kUnavailable "job stream <name> is full (max_msgs N): retry later".
  Error stream_full(const Error& cause, uint64_t needed);
  // kUnavailable "job bucket <name> is full (max_bytes N): retry later".
  Error bucket_full(const Error& cause, uint64_t needed);
  // A publish that failed for another reason (e.g. no responders): counted, error kept.
  void publish_failed();
  // A submission went through: whatever was full has room again.
  void accepted();

  // "job stream <name> is full (max_msgs N)" while the resource of the last refusal is still
  // full; nullopt otherwise. Looks at the resource at most once per `recheck`.
  std::optional<std::string> full();

  // Refusals so far by reason (every reason present, zeros kept).
  std::map<std::string, uint64_t> refusals() const;

 private:
  struct Refused {
    bool stream = true;  // else the bucket
    FullKind kind = FullKind::kNone;
    uint64_t needed = 0;
    std::string what;  // "job stream X is full (max_msgs N)"
    std::chrono::steady_clock::time_point at;
  };
  // The resource's limit text ("max_msgs 10000") from its current config; "" when unknown.
  std::string limit_text(const std::string& stream_name, FullKind kind);
  // Whether the refused resource still has no room (true when it cannot be looked at).
  bool still_full(const Refused& r);
  Error refuse(bool stream, const Error& cause, uint64_t needed, const char* reason);

  std::shared_ptr<messaging::Connection> conn_;
  std::string stream_;
  std::string bucket_;
  std::chrono::milliseconds recheck_;

  mutable std::mutex mu_;
  std::map<std::string, uint64_t> counts_;
  std::optional<Refused> refused_;
  std::optional<std::string> cached_;
  std::chrono::steady_clock::time_point checked_at_;
  bool checked_ = false;
};

}  // namespace osapi::job
