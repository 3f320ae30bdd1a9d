#include "provider/format.h"

#include <limits>

namespace osapi::provider {
namespace {

std::string unit(int64_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

}  // namespace

std::string uptime_text(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  const int64_t days = seconds / 86400;
  const int64_t hours = (seconds % 86400) / 3600;
  const int64_t minutes = (seconds % 3600) / 60;
  return unit(days, "day", "days") + ", " + unit(hours, "hour", "hours") + ", " +
         unit(minutes, "minute", "minutes");
}

int64_t clamp_to_int64(uint64_t value) {
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return value > kMax ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(value);
}

}  // namespace osapi::provider
