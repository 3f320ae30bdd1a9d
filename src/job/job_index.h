// An in-memory index of the jobs bucket, kept current by one KV watch (keys only), so job
// listing, status counts and paging cost what the page costs, not what the store holds. The
// watch's initial replay builds it; every later write, delete and purge updates it. Records
// that the bucket's TTL expires (which leaves no marker) are pruned by their write time.
//
// Reads are as fresh as the bucket: sync() waits until every write the bucket held when it was
// called has been applied, so a job a caller just submitted or completed is listed as such.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include "common/result.h"
#include "messaging/nats.h"

namespace osapi::job {

// One job as the index knows it: enough to order, filter and count it, and the keys to read
// when it is on a page.
struct IndexedJob {
  std::string id;
  int64_t created_second = 0;  // from the submitted event, else the record's write time
  std::string status;
  std::vector<std::string> events;     // status.<id>.… keys
  std::vector<std::string> responses;  // responses.<id>.… keys
};

struct IndexPage {
  int64_t total_items = 0;                       // jobs matching the filter
  std::map<std::string, int64_t> status_counts;  // every listed job by status
  std::vector<IndexedJob> items;                 // the page, newest first
};

struct IndexCounts {
  int64_t total = 0;  // jobs with a record
  std::map<std::string, int64_t> by_status;
  int64_t keys = 0;  // every live key of the bucket
};

// The state one replay builds; applied under the index's lock.
class JobIndexState {
 public:
  // One watch entry: a put (or delete/purge marker) of `key` written at `written_unix_nano`.
  void apply(const std::string& key, bool deleted, int64_t written_unix_nano);
  // Drops records written before `cutoff_unix_nano` (expired by the bucket's TTL) and keys of
  // jobs without a record whose newest write is that old.
  void prune(int64_t cutoff_unix_nano);

  // Newest first by created second, then id (descending). `status` "" = every job; limit 0 =
  // all the rest.
  IndexPage page(const std::string& status, int64_t limit, int64_t offset) const;
  IndexCounts counts() const;

 private:
  struct Entry {
    bool has_record = false;
    int64_t record_written = 0;
    int64_t submitted_unix_nano = 0;
    int64_t last_written = 0;
    std::vector<std::string> events;
    std::vector<std::string> responses;
    std::string status;           // current, when has_record
    int64_t ordered_second = -1;  // position in order_ (−1: not listed)
  };
  using OrderKey = std::pair<int64_t, std::string>;  // (created second, id)
  // Newest first, and the n-th key found in O(log n) (libstdc++'s order-statistics tree), so
  // a deep page costs what the first page costs instead of a walk over every job before it.
  using OrderSet =
      __gnu_pbds::tree<OrderKey, __gnu_pbds::null_type, std::greater<OrderKey>,
                       __gnu_pbds::rb_tree_tag, __gnu_pbds::tree_order_statistics_node_update>;
  void unlist(const std::string& id, Entry& e);
  void relist(const std::string& id, Entry& e);
  void erase(const std::string& id);

  std::unordered_map<std::string, Entry> jobs_;
  OrderSet order_;                             // every listed job
  std::map<std::string, OrderSet> by_status_;  // listed, per status
  int64_t keys_ = 0;
};

class JobIndex {
 public:
  // `ttl` is the bucket's (0 = no expiry).
  JobIndex(std::shared_ptr<messaging::KeyValue> jobs, std::chrono::nanoseconds ttl);
  ~JobIndex();
  JobIndex(const JobIndex&) = delete;
  JobIndex& operator=(const JobIndex&) = delete;

  // Starts the watch thread and waits up to `max_wait` for the initial replay; one still
  // running (or a watch that cannot be opened yet, retried every second) goes on in the
  // background and sync() waits for it.
  Status start(std::chrono::milliseconds max_wait = std::chrono::seconds(30));
  void stop();

  // Waits, at most `max_wait`, until the index holds every write the bucket held on entry.
  // kUnavailable when the bucket cannot be asked or the initial replay is not done in time.
  Status sync(std::chrono::milliseconds max_wait = std::chrono::seconds(2));
  IndexPage page(const std::string& status, int64_t limit, int64_t offset);
  IndexCounts counts();
  bool ready();

 private:
  void loop();
  Status open_watch();

  std::shared_ptr<messaging::KeyValue> jobs_;
  const std::chrono::nanoseconds ttl_;
  std::unique_ptr<messaging::Watcher> watcher_;  // owned by the loop thread after start
  std::mutex mu_;
  std::condition_variable cv_;
  JobIndexState state_;            // guarded by mu_
  uint64_t applied_revision_ = 0;  // guarded by mu_
  bool replayed_ = false;          // guarded by mu_: the initial replay is in
  bool stopping_ = false;          // guarded by mu_
  std::thread thread_;
};

}  // namespace osapi::job
