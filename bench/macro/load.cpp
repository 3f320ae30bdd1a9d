#include "load.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

namespace osapi::bench {

double percentile(std::vector<double> sample, double p) {
  if (sample.empty()) return 0;
  std::sort(sample.begin(), sample.end());
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sample.size())));
  return sample[std::min(sample.size() - 1, rank == 0 ? 0 : rank - 1)];
}

LoadResult closed_loop(int concurrency, size_t total_requests, std::chrono::milliseconds limit,
                       const OpFactory& factory) {
  using Clock = std::chrono::steady_clock;
  std::atomic<size_t> budget{total_requests};
  std::mutex mu;
  std::vector<double> latencies;
  LoadResult result;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point deadline;

  auto worker = [&] {
    Op op = factory();
    std::vector<double> mine;
    size_t errors = 0;
    std::string first_error;
    ready.fetch_add(1);
    while (!go.load()) std::this_thread::yield();
    while (Clock::now() < deadline) {
      size_t left = budget.load();
      if (left == 0 || !budget.compare_exchange_weak(left, left - 1)) {
        if (left == 0) break;
        continue;
      }
      std::string error;
      const auto t0 = Clock::now();
      const bool ok = op(error);
      const auto t1 = Clock::now();
      if (ok) {
        mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      } else {
        if (errors++ == 0) first_error = error;
      }
    }
    std::lock_guard<std::mutex> lk(mu);
    latencies.insert(latencies.end(), mine.begin(), mine.end());
    result.errors += errors;
    if (result.first_error.empty()) result.first_error = first_error;
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < concurrency; ++i) threads.emplace_back(worker);
  while (ready.load() < concurrency) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = Clock::now();
  deadline = start + limit;
  go.store(true);
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.requests = latencies.size();
  result.p50_us = percentile(latencies, 50);
  result.p99_us = percentile(latencies, 99);
  return result;
}

long proc_status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return 0;
}

RssSampler::RssSampler(std::vector<pid_t> pids) : pids_(std::move(pids)), peak_(pids_.size()) {
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      for (size_t i = 0; i < pids_.size(); ++i)
        peak_[i] = std::max(peak_[i], proc_status_kib(pids_[i], "VmRSS"));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

RssSampler::~RssSampler() {
  finish();
}

std::vector<long> RssSampler::finish() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  return peak_;
}

}  // namespace osapi::bench
