#include "job/job_index.h"

#include <algorithm>

#include "common/time.h"
#include "job/listing.h"
#include "logging/logger.h"

namespace osapi::job {

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
// Pruning waits this long past the TTL: the server's clock stamps the writes, and a record
// listed a little late is skipped when its page is read, while one hidden early is wrong.
constexpr auto kPruneGrace = std::chrono::seconds(30);
constexpr auto kPollInterval = std::chrono::milliseconds(200);

int64_t now_unix_nano() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

void remove_key(std::vector<std::string>& keys, const std::string& key) {
  keys.erase(std::remove(keys.begin(), keys.end(), key), keys.end());
}

}  // namespace

// ---- JobIndexState ---------------------------------------------------------------------------

void JobIndexState::unlist(const std::string& id, Entry& e) {
  if (e.ordered_second < 0) return;
  const OrderKey k{e.ordered_second, id};
  order_.erase(k);
  auto it = by_status_.find(e.status);
  if (it != by_status_.end()) {
    it->second.erase(k);
    if (it->second.empty()) by_status_.erase(it);
  }
  e.ordered_second = -1;
}

void JobIndexState::relist(const std::string& id, Entry& e) {
  unlist(id, e);
  if (!e.has_record) return;
  e.status = status_from_event_keys(e.events);
  const int64_t created = e.submitted_unix_nano != 0 ? e.submitted_unix_nano : e.record_written;
  e.ordered_second = created / kNanosPerSecond;
  const OrderKey k{e.ordered_second, id};
  order_.insert(k);
  by_status_[e.status].insert(k);
}

void JobIndexState::erase(const std::string& id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  unlist(id, it->second);
  keys_ -= static_cast<int64_t>(it->second.events.size() + it->second.responses.size() +
                                (it->second.has_record ? 1 : 0));
  jobs_.erase(it);
}

void JobIndexState::apply(const std::string& key, bool deleted, int64_t written_unix_nano) {
  const JobKey k = parse_job_key(key);
  if (k.kind.empty()) return;
  const std::string id(k.id);
  auto found = jobs_.find(id);
  if (found == jobs_.end()) {
    if (deleted) return;  // a marker for a key the index never held
    found = jobs_.emplace(id, Entry{}).first;
  }
  Entry& e = found->second;
  e.last_written = std::max(e.last_written, written_unix_nano);
  if (k.kind == "jobs") {
    if (deleted) {
      if (e.has_record) --keys_;
      e.has_record = false;
    } else {
      if (!e.has_record) ++keys_;
      e.has_record = true;
      e.record_written = written_unix_nano;
    }
  } else {
    auto& list = k.kind == "status" ? e.events : e.responses;
    const bool present = std::find(list.begin(), list.end(), key) != list.end();
    if (deleted && present) {
      remove_key(list, key);
      --keys_;
    } else if (!deleted && !present) {
      list.push_back(key);
      ++keys_;
    }
    if (k.kind == "status" && k.event == "submitted" && k.host == "_api")
      e.submitted_unix_nano = deleted ? 0 : k.unix_nano;
  }
  if (!e.has_record && e.events.empty() && e.responses.empty()) {
    erase(id);
    return;
  }
  if (k.kind == "responses" && e.ordered_second >= 0 && e.has_record) return;  // no change
  relist(id, e);
}

void JobIndexState::prune(int64_t cutoff_unix_nano) {
  std::vector<std::string> expired;
  for (const auto& [id, e] : jobs_) {
    const bool record_gone = e.has_record && e.record_written < cutoff_unix_nano;
    const bool orphan_gone = !e.has_record && e.last_written < cutoff_unix_nano;
    if (record_gone || orphan_gone) expired.push_back(id);
  }
  for (const auto& id : expired) erase(id);
}

IndexPage JobIndexState::page(const std::string& status, int64_t limit, int64_t offset) const {
  IndexPage out;
  out.status_counts = counts().by_status;
  const OrderSet* source = &order_;
  static const OrderSet kNone;
  if (!status.empty()) {
    auto it = by_status_.find(status);
    source = it == by_status_.end() ? &kNone : &it->second;
  }
  out.total_items = static_cast<int64_t>(source->size());
  if (offset < 0) offset = 0;
  if (offset >= out.total_items) return out;
  auto it = source->find_by_order(static_cast<size_t>(offset));
  for (; it != source->end() && (limit <= 0 || static_cast<int64_t>(out.items.size()) < limit);
       ++it) {
    const Entry& e = jobs_.at(it->second);
    out.items.push_back({it->second, e.ordered_second, e.status, e.events, e.responses});
  }
  return out;
}

IndexCounts JobIndexState::counts() const {
  IndexCounts c;
  for (const auto& s : job_statuses()) c.by_status[s] = 0;
  for (const auto& [status, set] : by_status_)
    c.by_status[status] = static_cast<int64_t>(set.size());
  c.total = static_cast<int64_t>(order_.size());
  c.keys = keys_;
  return c;
}

// ---- JobIndex --------------------------------------------------------------------------------

JobIndex::JobIndex(std::shared_ptr<messaging::KeyValue> jobs, std::chrono::nanoseconds ttl)
    : jobs_(std::move(jobs)), ttl_(ttl) {}

JobIndex::~JobIndex() {
  stop();
}

Status JobIndex::open_watch() {
  messaging::WatchOptions o;
  o.meta_only = true;  // keys and times are all the index needs
  auto w = jobs_->watch(">", o);
  if (!w.ok()) return w.error();
  watcher_ = std::move(*w);
  return Status::Ok();
}

Status JobIndex::start(std::chrono::milliseconds max_wait) {
  thread_ = std::thread([this] { loop(); });
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait_for(lk, max_wait, [this] { return replayed_ || stopping_; });
  if (!replayed_) logging::warn("job index still loading; job lists wait for it");
  return Status::Ok();
}

void JobIndex::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  watcher_.reset();
}

void JobIndex::loop() {
  auto last_prune = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return;
    }
    if (!watcher_) {
      // At start, and after a watch failure: a fresh replay (the old state may miss writes).
      if (auto st = open_watch(); !st.ok()) {
        logging::warn("job index watch unavailable; retrying", {{"error", st.error().message}});
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait_for(lk, std::chrono::seconds(1), [this] { return stopping_; });
        continue;
      }
      std::lock_guard<std::mutex> lk(mu_);
      state_ = JobIndexState();
      applied_revision_ = 0;
      replayed_ = false;
    }
    auto e = watcher_->next(kPollInterval);
    if (!e.ok()) {
      logging::warn("job index watch failed; rebuilding", {{"error", e.error().message}});
      watcher_.reset();
      continue;
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (e->has_value()) {
        const auto& entry = **e;
        state_.apply(entry.key, entry.deleted, entry.created_unix_nano);
        applied_revision_ = std::max(applied_revision_, entry.revision);
      }
      if (!replayed_ && watcher_->initial_done()) replayed_ = true;
      const auto now = std::chrono::steady_clock::now();
      if (ttl_.count() > 0 && now - last_prune >= std::chrono::seconds(1)) {
        last_prune = now;
        state_.prune(now_unix_nano() - (ttl_ + kPruneGrace).count());
      }
    }
    cv_.notify_all();
  }
}

Status JobIndex::sync(std::chrono::milliseconds max_wait) {
  auto st = jobs_->status();
  if (!st.ok()) return Error(ErrorCode::kUnavailable, st.error().message);
  const uint64_t target = st->values == 0 ? 0 : st->last_sequence;
  std::unique_lock<std::mutex> lk(mu_);
  const bool done = cv_.wait_for(
      lk, max_wait, [&] { return stopping_ || (replayed_ && applied_revision_ >= target); });
  if (!done && !replayed_)
    return Error(ErrorCode::kUnavailable, "job index is still loading the jobs bucket");
  // Caught up, or writes are still arriving: answer with what is applied.
  return Status::Ok();
}

IndexPage JobIndex::page(const std::string& status, int64_t limit, int64_t offset) {
  std::lock_guard<std::mutex> lk(mu_);
  return state_.page(status, limit, offset);
}

IndexCounts JobIndex::counts() {
  std::lock_guard<std::mutex> lk(mu_);
  return state_.counts();
}

bool JobIndex::ready() {
  std::lock_guard<std::mutex> lk(mu_);
  return replayed_;
}

}  // namespace osapi::job
