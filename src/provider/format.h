// Pure formatting helpers for node facts (used by the API and CLI).
#pragma once

#include <cstdint>
#include <string>

namespace osapi::provider {

// "D day(s), H hour(s), M minute(s)", singular only for exactly 1 (acceptance NS-6).
// Negative input counts as 0.
std::string uptime_text(int64_t seconds);
// Byte counts are uint64 on the agent, int64 in the API: values above INT64_MAX clamp to it.
int64_t clamp_to_int64(uint64_t value);

}  // namespace osapi::provider
