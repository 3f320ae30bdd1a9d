// RAII wrapper over cnats (nats.c): connection, JetStream streams/consumers, KV buckets.
// Every fallible call returns Result/Status whose message says where it failed.
// Thread-safety: Connection, KeyValue and PullSubscription may be shared across threads
// (cnats handles are thread-safe); a Watcher is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/headers.h"
#include "common/result.h"

namespace osapi::messaging {

using Duration = std::chrono::nanoseconds;

struct ConnectOptions {
  std::string url = "nats://localhost:4222";
  std::string name;                // client name shown by the server
  std::string auth_type = "none";  // none | user_pass | nkey ("unsupported authentication method")
  std::string username;
  std::string password;
  std::string nkey_file;  // seed file starting with 'S'
  int connect_timeout_ms = 2000;
  // Reconnect forever with backoff once connected (servers, agents). The first connect fails
  // fast so start-up errors are visible.
  bool reconnect_forever = true;
};

struct StreamSpec {
  std::string name;
  std::vector<std::string> subjects;
  Duration max_age{0};  // 0 = unlimited
  int64_t max_msgs = -1;
  int64_t max_bytes = -1;
  std::string storage = "file";  // file | memory
  int replicas = 1;
  std::string discard = "old";  // old | new
  Duration duplicate_window{std::chrono::minutes(2)};
  // Object store streams: rollup headers (a chunk set replaces the previous one) and direct
  // get (any replica answers reads).
  bool allow_rollup = false;
  bool allow_direct = false;
};

struct StreamInfo {
  std::string name;
  uint64_t messages = 0;
  uint64_t bytes = 0;
  int64_t consumers = 0;
  Duration max_age{0};
  int64_t max_msgs = 0;
  int64_t max_bytes = 0;
  std::vector<std::string> subjects;
  // Config echo (additive): storage "file"|"memory", discard "old"|"new".
  std::string storage;
  int replicas = 0;
  std::string discard;
  Duration duplicate_window{0};
  int64_t max_msgs_per_subject = 0;  // KV history for KV_<bucket> streams
  bool allow_direct = false;         // any replica answers direct gets
  // State: the oldest and newest stored sequences (0 when empty) and how many sequences
  // between them were deleted. Messages expire or are discarded from the oldest end, so
  // [first_sequence, last_sequence] has no gaps unless `deleted` > 0.
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  uint64_t deleted = 0;
  std::vector<uint64_t> deleted_sequences;  // ascending; only from stream_info(name, true)
};

// A message read back from a stream (by sequence, by subject, or through a range read).
struct StreamMessage {
  uint64_t sequence = 0;
  std::string subject;
  std::string data;
  Headers headers;
};

// One message of a BatchPublisher batch.
struct PublishItem {
  std::string subject;
  std::string data;
  Headers headers;
};

struct KvSpec {
  std::string bucket;
  int history = 1;
  Duration ttl{0};
  int64_t max_bytes = -1;
  std::string storage = "file";
  int replicas = 1;
  // Direct get: any replica answers reads, including one that has not stored the newest write
  // yet. Only safe where a stale read does no harm; buckets with replicas > 1 that are read
  // right after a write need it off, so every read goes to the stream leader.
  bool allow_direct = true;
};

struct ConsumerSpec {
  std::string durable;
  std::string filter_subject;
  std::string deliver_policy = "all";  // all | new
  Duration ack_wait{std::chrono::minutes(2)};
  int max_deliver = 5;
  int max_ack_pending = 1000;
  std::string replay_policy = "instant";  // instant | original
  std::vector<Duration> backoff;          // already truncated by the caller
};

struct ConsumerInfo {
  std::string stream;
  std::string name;
  std::string filter_subject;
  std::string deliver_policy;  // all | new | last | …
  std::string ack_policy;      // explicit | all | none
  std::string replay_policy;   // instant | original
  Duration ack_wait{0};
  int64_t max_deliver = 0;
  int64_t max_ack_pending = 0;
  std::vector<Duration> backoff;
  uint64_t num_pending = 0;     // messages not yet delivered
  int64_t num_ack_pending = 0;  // delivered, not yet acked
  int64_t num_redelivered = 0;
};

struct ConsumerState {
  std::string name;
  uint64_t num_pending = 0;
  int64_t num_ack_pending = 0;
  int64_t num_redelivered = 0;
};

// A message received from a subscription; owns the cnats handle. Ack helpers are for
// JetStream messages.
class Message {
 public:
  struct Impl;
  explicit Message(std::unique_ptr<Impl> impl);
  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;
  ~Message();

  const std::string& subject() const;
  const std::string& data() const;
  const Headers& headers() const;
  uint64_t delivery_count() const;  // 1-based JetStream delivery count (0 if unknown)
  uint64_t stream_sequence() const;

  Status ack();
  Status nak();
  Status nak_with_delay(Duration delay);
  Status term();
  Status in_progress();

 private:
  std::unique_ptr<Impl> impl_;
};

struct KvEntry {
  std::string key;
  std::string value;
  uint64_t revision = 0;
  bool deleted = false;           // delete/purge marker (watchers only)
  int64_t created_unix_nano = 0;  // when the value was written (its stream message's time)
};

struct WatchOptions {
  bool meta_only = false;       // keys, revisions and times without values
  bool ignore_deletes = false;  // no delete/purge markers
};

// Iterates a KV watch. The initial replay of existing keys comes first.
class Watcher {
 public:
  struct Impl;
  explicit Watcher(std::unique_ptr<Impl> impl);
  ~Watcher();
  // Next entry, waiting up to `timeout`. nullopt on timeout. The "initial values done" marker
  // is swallowed; initial_done() tells whether it has been seen.
  Result<std::optional<KvEntry>> next(Duration timeout);
  bool initial_done() const;

 private:
  std::unique_ptr<Impl> impl_;
};

struct BucketStatus {
  std::string bucket;
  uint64_t values = 0;  // stream messages
  uint64_t bytes = 0;
  uint64_t last_sequence = 0;  // of the newest message (its revision)
  Duration ttl{0};
  int64_t max_bytes = 0;
};

class KeyValue {
 public:
  struct Impl;
  explicit KeyValue(std::unique_ptr<Impl> impl);
  ~KeyValue();

  const std::string& bucket() const;
  Result<uint64_t> put(const std::string& key, const std::string& value);
  // Publishes the value without waiting for the stream's ack (events nobody waits on).
  // Failures are logged by the connection's async error handler.
  Status put_async(const std::string& key, const std::string& value);
  // How many times the connection under this handle has reconnected. An async put made before
  // a reconnect may have been lost with the old connection even when later writes succeed.
  uint64_t reconnects() const;
  // Fails with kAlreadyExists when the key exists (JetStream error 10071).
  Result<uint64_t> create(const std::string& key, const std::string& value);
  // nullopt when the key does not exist or was deleted. Read from the stream leader unless the
  // bucket allows direct get (KvSpec::allow_direct) when this handle was bound.
  Result<std::optional<KvEntry>> get(const std::string& key);
  // The entry `key` got at `revision`, always read from the stream leader (never a direct get,
  // whatever the bucket allows), so a write acknowledged with that revision is always found;
  // nullopt when that revision holds another key, was overwritten, deleted or not written.
  Result<std::optional<KvEntry>> get_revision(const std::string& key, uint64_t revision);
  // The newest entry among the keys matching `filter` (wildcards allowed: "status.1.started.>"),
  // one server round trip; nullopt when none matches or the newest is a delete marker.
  Result<std::optional<KvEntry>> last(const std::string& filter);
  Status del(const std::string& key);
  Status purge(const std::string& key);
  // All current keys, optionally limited by a subject-style filter ("jobs.>"); empty bucket → {}.
  Result<std::vector<std::string>> keys(const std::string& filter = ">");
  Result<std::unique_ptr<Watcher>> watch(const std::string& key_pattern,
                                         const WatchOptions& options = {});
  Result<BucketStatus> status();

 private:
  std::unique_ptr<Impl> impl_;
};

// Publishes batches into JetStream: every message of a batch is sent without waiting, then the
// acks are awaited together, so a batch costs about one round trip instead of one per message.
// It has its own JetStream context, so its pending acks never mix with other publishes.
// Batches are serialized (one publish() at a time).
class BatchPublisher {
 public:
  struct Impl;
  explicit BatchPublisher(std::unique_ptr<Impl> impl);
  ~BatchPublisher();
  // One Status per item, in order: Ok once the stream acknowledged it; the server's error when
  // it refused it; kTimeout when no ack came within `ack_timeout` (the message may still have
  // been stored); kUnavailable when it could not be sent at all.
  std::vector<Status> publish(const std::vector<PublishItem>& batch, Duration ack_timeout);

 private:
  std::unique_ptr<Impl> impl_;
};

class PullSubscription {
 public:
  struct Impl;
  explicit PullSubscription(std::unique_ptr<Impl> impl);
  // Destroys the subscription WITHOUT unsubscribing, so the durable survives (stack.md trap 1).
  ~PullSubscription();
  // Up to `batch` messages, waiting at most `timeout`; a timeout yields an empty vector.
  Result<std::vector<Message>> fetch(int batch, Duration timeout);

 private:
  std::unique_ptr<Impl> impl_;
};

// A core NATS subscription; the handler runs on a cnats thread. Unsubscribes on destruction.
class Subscription {
 public:
  struct Impl;
  explicit Subscription(std::unique_ptr<Impl> impl);
  ~Subscription();

 private:
  std::unique_ptr<Impl> impl_;
};

class Connection {
 public:
  struct Impl;
  static Result<std::shared_ptr<Connection>> connect(const ConnectOptions& options);
  explicit Connection(std::unique_ptr<Impl> impl);
  ~Connection();

  bool connected() const;
  std::string connected_url() const;
  std::string server_version() const;  // from INFO, e.g. "2.9.10"

  // Core NATS (flushed at once: SendAsap, stack.md trap 2).
  Status publish(const std::string& subject, const std::string& data, const Headers& headers = {});
  Result<std::string> request(const std::string& subject, const std::string& data,
                              Duration timeout);

  // JetStream publish awaiting the ack; returns the stream sequence. `msg_id` sets Nats-Msg-Id.
  Result<uint64_t> js_publish(const std::string& subject, const std::string& data,
                              const Headers& headers = {}, const std::string& msg_id = "");

  // Streams. ensure_stream creates when missing; when present and update_existing, updates
  // it to the spec, else leaves it alone.
  Status ensure_stream(const StreamSpec& spec, bool update_existing);
  // `deleted_details` also lists the deleted sequences (StreamInfo::deleted_sequences).
  Result<StreamInfo> stream_info(const std::string& name, bool deleted_details = false);
  // Raw stored message of a stream by sequence (DLQ job id recovery).
  Result<std::string> stream_message_data(const std::string& stream, uint64_t seq);
  // The message stored at `seq`; nullopt when that sequence was deleted, expired or not yet
  // written.
  Result<std::optional<StreamMessage>> stream_message(const std::string& stream, uint64_t seq);
  // The newest message stored on exactly `subject`; nullopt when the stream holds none.
  Result<std::optional<StreamMessage>> last_stream_message(const std::string& stream,
                                                           const std::string& subject);
  // Messages with sequences first_seq..last_seq (ascending) on subjects matching
  // `filter_subject` ("" = every subject), read through a short-lived ephemeral consumer
  // (deleted when done). Deleted or expired sequences are simply absent. `timeout` bounds each
  // server round trip. Prefer "": nats-server 2.9 counts a filtered consumer's pending
  // messages by scanning the stream (about 10 ms per read at 10k messages, against 1 ms).
  Result<std::vector<StreamMessage>> stream_messages(const std::string& stream,
                                                     const std::string& filter_subject,
                                                     uint64_t first_seq, uint64_t last_seq,
                                                     Duration timeout = std::chrono::seconds(5));
  // Removes one message; kNotFound when that sequence holds none.
  Status delete_stream_message(const std::string& stream, uint64_t seq);
  Result<std::unique_ptr<BatchPublisher>> batch_publisher();

  // KV buckets: bind an existing one, or ensure (create if missing / update if asked).
  Result<std::shared_ptr<KeyValue>> key_value(const std::string& bucket);
  Result<std::shared_ptr<KeyValue>> ensure_key_value(const KvSpec& spec, bool update_existing);

  // Durable pull consumers, created with js_AddConsumer (never by subscribe). An existing
  // consumer is left untouched unless update_existing (deliver policy is never changed).
  Status ensure_consumer(const std::string& stream, const ConsumerSpec& spec, bool update_existing);
  // Every consumer of a stream with its delivery state (empty when it has none).
  Result<std::vector<ConsumerState>> consumers(const std::string& stream);
  // Durable consumer state and config; kNotFound when it does not exist.
  Result<ConsumerInfo> consumer_info(const std::string& stream, const std::string& durable);
  Result<std::unique_ptr<PullSubscription>> bind_pull(const std::string& stream,
                                                      const std::string& durable,
                                                      const std::string& filter_subject);
  // Core subscription with a callback (e.g. KV update notifications "$KV.<bucket>.<key>").
  Result<std::unique_ptr<Subscription>> subscribe(const std::string& subject,
                                                  std::function<void(Message&&)> handler);
  // Waits until every async publish (put_async) got its ack or `timeout` passed.
  Status flush_async_publishes(Duration timeout);

  // Account info round trip (readiness probe).
  Status jetstream_ready(Duration timeout);

  void close();

 private:
  void complete_deleted(StreamInfo& info);

  std::unique_ptr<Impl> impl_;
};

}  // namespace osapi::messaging
