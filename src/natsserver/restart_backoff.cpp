#include "natsserver/restart_backoff.h"

#include <algorithm>

namespace osapi::natsserver {

void RestartBackoff::child_exited(std::chrono::steady_clock::duration uptime) {
  if (uptime >= kStableAfter) failures_ = 0;
  ++failures_;
}

std::chrono::milliseconds RestartBackoff::next_pause() const {
  std::chrono::milliseconds pause = kFirstPause;
  for (int i = 1; i < failures_ && pause < kMaxPause; ++i) pause *= 2;
  return std::min(pause, kMaxPause);
}

}  // namespace osapi::natsserver
