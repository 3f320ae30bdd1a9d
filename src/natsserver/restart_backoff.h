// When the supervisor starts its nats-server child again after it died: a pause that doubles
// with every failure in a row (250 ms, 500 ms, … up to 5 s), and a limit past which it gives
// up. A child that stayed up for a while before dying starts the count afresh.
#pragma once

#include <chrono>

namespace osapi::natsserver {

class RestartBackoff {
 public:
  static constexpr std::chrono::milliseconds kFirstPause{250};
  static constexpr std::chrono::milliseconds kMaxPause{5000};
  static constexpr std::chrono::seconds kStableAfter{10};
  static constexpr int kMaxFailures = 4;

  // The child died after running `uptime` since it was last ready.
  void child_exited(std::chrono::steady_clock::duration uptime);
  // A restart did not bring the child up (spawn, readiness or provisioning failed).
  void start_failed() { ++failures_; }
  // True once more than kMaxFailures failures came in a row: stop trying.
  bool exhausted() const { return failures_ > kMaxFailures; }
  // The pause before the next start.
  std::chrono::milliseconds next_pause() const;
  int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

}  // namespace osapi::natsserver
