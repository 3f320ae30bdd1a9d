// Closed-loop load: N worker threads, each with its own client (connection), issue requests
// back to back until the request budget or the time limit runs out; latencies are per request.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace osapi::bench {

struct LoadResult {
  size_t requests = 0;  // completed successfully
  size_t errors = 0;
  double seconds = 0;
  double p50_us = 0, p99_us = 0;
  std::string first_error;
  double rps() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// One request on this thread's client; false (and a reason in `error`) when it failed.
using Op = std::function<bool(std::string& error)>;
// Called once on each worker thread to open its client; returns that thread's Op.
using OpFactory = std::function<Op()>;

LoadResult closed_loop(int concurrency, size_t total_requests, std::chrono::milliseconds limit,
                       const OpFactory& factory);

// VmRSS / VmHWM (`field`) of a process in KiB (0 when unreadable).
long proc_status_kib(pid_t pid, const std::string& field);

// Samples the peak RSS of a few processes every 100 ms while it lives.
class RssSampler {
 public:
  explicit RssSampler(std::vector<pid_t> pids);
  ~RssSampler();
  std::vector<long> finish();  // peak KiB per pid

 private:
  std::vector<pid_t> pids_;
  std::vector<long> peak_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// p-th percentile (0..100) of a sample, nearest rank; 0 when empty.
double percentile(std::vector<double> sample, double p);

}  // namespace osapi::bench
