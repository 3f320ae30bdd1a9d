// Time formatting and Go-compatible durations.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace osapi {

using Clock = std::chrono::system_clock;
using Nanos = std::chrono::nanoseconds;

int64_t unix_nano(Clock::time_point t = Clock::now());
Clock::time_point from_unix_nano(int64_t ns);

// "2026-02-26T22:41:07Z" (UTC, second precision).
std::string rfc3339(Clock::time_point t);
// Go RFC3339Nano in UTC: up to 9 fractional digits, trailing zeros trimmed.
std::string rfc3339_nano(Clock::time_point t);
// RFC 3339 with 6 fractional digits, UTC ("…07.123456Z").
std::string rfc3339_micro(Clock::time_point t);
// Local time with 9 fractional digits and numeric offset (JSON log lines).
std::string rfc3339_nano_local(Clock::time_point t);
// Go time.Kitchen in local time: "10:41PM".
std::string kitchen_time(Clock::time_point t);
// RFC 1123 (HTTP date), UTC.
std::string rfc1123(Clock::time_point t);
// Parses RFC 3339 (with optional fraction and Z or ±hh:mm); false on junk.
bool parse_rfc3339(std::string_view s, Clock::time_point& out);

// Go syntax ("500ms", "1h30m", "-2s", "0") plus a day suffix "d" ("7d", "1d12h").
Result<Nanos> parse_duration(std::string_view s);
// Go's Duration.String(): "0s", "1.234ms", "2h30m0s", "26h0m5s".
std::string format_go_duration(Nanos d);

}  // namespace osapi
