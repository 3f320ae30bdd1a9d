// Counters of the jobs an agent ran, for its metrics server: finished jobs by outcome, jobs
// running now, and a histogram of how long they took. Lock-free: updated on the job path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace osapi::agent {

class JobStats {
 public:
  // Upper bounds in seconds (the Prometheus client's default buckets).
  static constexpr std::array<double, 11> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,    2.5,   5,    10};

  void started() { active_.fetch_add(1, std::memory_order_relaxed); }
  // A skipped job counts as completed: it finished and needs no retry.
  void finished(bool failed, double seconds) {
    active_.fetch_sub(1, std::memory_order_relaxed);
    (failed ? failed_ : completed_).fetch_add(1, std::memory_order_relaxed);
    size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  }
  // A job that ended without an outcome (record missing, response not stored).
  void abandoned() { active_.fetch_sub(1, std::memory_order_relaxed); }

  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  int64_t active() const { return active_.load(std::memory_order_relaxed); }
  // Per bucket, not cumulative; the last one is +Inf.
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  double sum_seconds() const { return sum_us_.load(std::memory_order_relaxed) / 1e6; }

 private:
  std::atomic<uint64_t> completed_{0}, failed_{0}, sum_us_{0};
  std::atomic<int64_t> active_{0};
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
};

}  // namespace osapi::agent
