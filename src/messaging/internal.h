// Private glue shared by the messaging .cpp files: the connection core that every handle keeps
// alive, the Impl structs, and cnats status → Error conversion.
#pragma once

#include <nats/nats.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "messaging/nats.h"

namespace osapi::messaging::detail {

// Owns the cnats connection and JetStream context. Shared by Connection and every handle made
// from it (KV stores, subscriptions, messages) so none can outlive the connection.
struct Core {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  std::string url;
  std::mutex mu;
  std::string server_version;  // cached INFO version, guarded by mu

  Core() = default;
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;
  ~Core();
};

// Error with where it failed, the cnats text and the JetStream error code when there is one.
Error nats_error(const std::string& where, natsStatus s,
                 jsErrCode jerr = static_cast<jsErrCode>(0));
ErrorCode map_status(natsStatus s);

inline int64_t to_millis(Duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return ms < 1 ? 1 : ms;
}

// Builds a natsMsg with headers; nullptr with `err` set on failure.
natsMsg* make_msg(const std::string& subject, const std::string& data, const Headers& headers,
                  Error& err);

// Wraps a received natsMsg (ownership taken).
Message wrap_message(natsMsg* msg, std::shared_ptr<Core> core);

// Every header of `msg` in wire order (a repeated name gives several entries).
Headers read_headers(natsMsg* msg);

// Stream info by name; kNotFound when the stream does not exist. `deleted_details` asks the
// server for the list of deleted sequences as well.
Result<std::unique_ptr<jsStreamInfo, void (*)(jsStreamInfo*)>> get_stream_info(
    Core& core, const std::string& name, bool deleted_details = false);

}  // namespace osapi::messaging::detail

namespace osapi::messaging {

struct KeyValue::Impl {
  std::shared_ptr<detail::Core> core;
  kvStore* kv = nullptr;
  std::string bucket;
  ~Impl() {
    if (kv) kvStore_Destroy(kv);
  }
};

struct Watcher::Impl {
  std::shared_ptr<detail::Core> core;
  kvWatcher* w = nullptr;
  bool initial_done = false;
  ~Impl() {
    if (w) kvWatcher_Destroy(w);
  }
};

struct PullSubscription::Impl {
  std::shared_ptr<detail::Core> core;
  natsSubscription* sub = nullptr;
  ~Impl() {
    // Destroy only, never Unsubscribe/Drain (stack.md trap 1). Destroy drops our interest;
    // cnats deletes a consumer only when its own subscribe call created it, and ours are
    // bound to durables made by js_AddConsumer, so the durable survives.
    if (sub) natsSubscription_Destroy(sub);
  }
};

struct Message::Impl {
  std::shared_ptr<detail::Core> core;
  natsMsg* msg = nullptr;
  std::string subject;
  std::string data;
  Headers headers;
  uint64_t delivered = 0;
  uint64_t stream_seq = 0;
  ~Impl() {
    if (msg) natsMsg_Destroy(msg);
  }
};

struct Subscription::Impl {
  std::shared_ptr<detail::Core> core;
  natsSubscription* sub = nullptr;
  std::function<void(Message&&)> handler;
  ~Impl() {
    // Core subscription (no JetStream consumer behind it): unsubscribe, then wait until the
    // callback can no longer run before the handler is destroyed.
    if (sub) {
      natsSubscription_Unsubscribe(sub);
      natsSubscription_WaitForDrainCompletion(sub, 1000);
      natsSubscription_Destroy(sub);
    }
  }
};

struct Connection::Impl {
  std::shared_ptr<detail::Core> core;
};

}  // namespace osapi::messaging
