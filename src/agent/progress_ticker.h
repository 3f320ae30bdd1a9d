// Keeps running jobs alive in JetStream: every message registered here gets an in-progress ack
// each `interval`, so a job that runs longer than the ack deadline (back_off[0] when back_off
// is set) is not redelivered to run a second time. One thread serves every job of one agent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "config/config.h"
#include "messaging/nats.h"

namespace osapi::agent {

class ProgressTicker {
 public:
  explicit ProgressTicker(std::chrono::milliseconds interval);
  ~ProgressTicker();
  ProgressTicker(const ProgressTicker&) = delete;
  ProgressTicker& operator=(const ProgressTicker&) = delete;

  // The message must stay alive until remove().
  void add(messaging::Message* msg);
  void remove(messaging::Message* msg);

  std::chrono::milliseconds interval() const { return interval_; }

  // Half the shortest ack deadline of the consumer settings (ack_wait, back_off[0]), at least
  // 500 ms.
  static std::chrono::milliseconds interval_for(const config::Consumer& consumer);

 private:
  void loop();

  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::map<messaging::Message*, std::chrono::steady_clock::time_point> items_;
  std::thread thread_;
};

// add() on construction, remove() on destruction.
class TickerScope {
 public:
  TickerScope(ProgressTicker& ticker, messaging::Message* msg) : ticker_(ticker), msg_(msg) {
    ticker_.add(msg_);
  }
  ~TickerScope() { ticker_.remove(msg_); }
  TickerScope(const TickerScope&) = delete;
  TickerScope& operator=(const TickerScope&) = delete;

 private:
  ProgressTicker& ticker_;
  messaging::Message* msg_;
};

}  // namespace osapi::agent
