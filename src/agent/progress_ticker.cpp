#include "agent/progress_ticker.h"

#include <algorithm>

namespace osapi::agent {

ProgressTicker::ProgressTicker(std::chrono::milliseconds interval) : interval_(interval) {
  thread_ = std::thread([this] { loop(); });
}

ProgressTicker::~ProgressTicker() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ProgressTicker::add(messaging::Message* msg) {
  std::lock_guard<std::mutex> lk(mu_);
  items_[msg] = std::chrono::steady_clock::now();
}

void ProgressTicker::remove(messaging::Message* msg) {
  std::lock_guard<std::mutex> lk(mu_);
  items_.erase(msg);
}

std::chrono::milliseconds ProgressTicker::interval_for(const config::Consumer& consumer) {
  auto d = consumer.ack_wait;
  if (!consumer.back_off.empty() && consumer.back_off.front() < d) d = consumer.back_off.front();
  const auto half = std::chrono::duration_cast<std::chrono::milliseconds>(d) / 2;
  return std::max(half, std::chrono::milliseconds(500));
}

void ProgressTicker::loop() {
  // Wakes at a fraction of the interval so a job added just after a tick is not late by a
  // whole interval; in_progress() is a cheap core publish.
  const auto step =
      std::clamp(interval_ / 4, std::chrono::milliseconds(100), std::chrono::milliseconds(500));
  std::unique_lock<std::mutex> lk(mu_);
  while (!done_) {
    cv_.wait_for(lk, step, [&] { return done_; });
    const auto now = std::chrono::steady_clock::now();
    for (auto& [msg, last] : items_) {
      if (now - last >= interval_) {
        (void)msg->in_progress();
        last = now;
      }
    }
  }
}

}  // namespace osapi::agent
