// An agent's timeline: state changes (drain, cordoned, undrain, …) kept in the agent state KV
// under `timeline.<hostname*>.<event>.<unix_nano>`, one JSON event per key, shown by
// `GET /api/agent/{hostname}` oldest first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "messaging/nats.h"

namespace osapi::job {

struct TimelineEvent {
  std::string timestamp;  // RFC 3339, nanoseconds
  std::string event;
  std::string hostname;
  std::string message;  // "" → left out
  std::string error;    // "" → left out
  int64_t unix_nano = 0;

  nlohmann::ordered_json to_json() const;
  // kInvalidArgument when `text` is not an object with a string `event` and `timestamp`.
  static Result<TimelineEvent> parse(const std::string& text);
};

std::string timeline_key(const std::string& hostname, const std::string& event, int64_t unix_nano);

// Writes one event now (timestamp and key from the current time).
Status write_timeline_event(messaging::KeyValue& state, const std::string& hostname,
                            const std::string& event, const std::string& message,
                            const std::string& error = "");

// Every event of `hostname`, oldest first; entries that do not parse are skipped.
Result<std::vector<TimelineEvent>> read_timeline(messaging::KeyValue& state,
                                                 const std::string& hostname);

}  // namespace osapi::job
