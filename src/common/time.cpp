#include "common/time.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

namespace osapi {

int64_t unix_nano(Clock::time_point t) {
  return std::chrono::duration_cast<Nanos>(t.time_since_epoch()).count();
}

Clock::time_point from_unix_nano(int64_t ns) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(Nanos(ns)));
}

namespace {

struct Split {
  std::tm tm{};
  int64_t frac_ns = 0;
};

Split split_utc(Clock::time_point t) {
  const int64_t ns = unix_nano(t);
  int64_t secs = ns / 1'000'000'000;
  int64_t frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --secs;
  }
  Split s;
  const std::time_t tt = static_cast<std::time_t>(secs);
  gmtime_r(&tt, &s.tm);
  s.frac_ns = frac;
  return s;
}

std::string date_time(const std::tm& tm) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace

std::string rfc3339(Clock::time_point t) {
  return date_time(split_utc(t).tm) + "Z";
}

std::string rfc3339_nano(Clock::time_point t) {
  const Split s = split_utc(t);
  std::string out = date_time(s.tm);
  if (s.frac_ns != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(s.frac_ns));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

std::string rfc3339_micro(Clock::time_point t) {
  const Split s = split_utc(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(s.frac_ns / 1000));
  return date_time(s.tm) + buf + "Z";
}

std::string rfc3339_nano_local(Clock::time_point t) {
  const int64_t ns = unix_nano(t);
  const std::time_t tt = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&tt, &tm);
  const long off = tm.tm_gmtoff;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s.%09lld%c%02ld:%02ld", date_time(tm).c_str(),
                static_cast<long long>(ns % 1'000'000'000), off < 0 ? '-' : '+',
                std::labs(off) / 3600, (std::labs(off) % 3600) / 60);
  if (off == 0) {
    std::snprintf(buf, sizeof buf, "%s.%09lldZ", date_time(tm).c_str(),
                  static_cast<long long>(ns % 1'000'000'000));
  }
  return buf;
}

std::string kitchen_time(Clock::time_point t) {
  const std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  int h = tm.tm_hour % 12;
  if (h == 0) h = 12;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d:%02d%s", h, tm.tm_min, tm.tm_hour < 12 ? "AM" : "PM");
  return buf;
}

std::string rfc1123(Clock::time_point t) {
  const std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

bool parse_rfc3339(std::string_view s, Clock::time_point& out) {
  int Y, M, D, h, m, sec;
  if (s.size() < 20) return false;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) != 6)
    return false;
  size_t i = 19;
  int64_t frac = 0;
  if (i < str.size() && str[i] == '.') {
    ++i;
    int digits = 0;
    while (i < str.size() && std::isdigit(static_cast<unsigned char>(str[i]))) {
      if (digits < 9) {
        frac = frac * 10 + (str[i] - '0');
        ++digits;
      }
      ++i;
    }
    while (digits++ < 9) frac *= 10;
  }
  long offset = 0;
  if (i < str.size() && (str[i] == 'Z' || str[i] == 'z')) {
    ++i;
  } else if (i + 6 <= str.size() && (str[i] == '+' || str[i] == '-')) {
    int oh, om;
    if (std::sscanf(str.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return false;
    offset = (oh * 3600 + om * 60) * (str[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i != str.size()) return false;
  std::tm tm{};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  const int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  // Nanoseconds since the epoch fit int64 only for years ~1678..2262; a timestamp outside
  // (untrusted input, found by fuzzing) would overflow below.
  constexpr int64_t kMaxSecs = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  if (secs > kMaxSecs || secs < -kMaxSecs) return false;
  out = from_unix_nano(secs * 1'000'000'000 + frac);
  return true;
}

Result<Nanos> parse_duration(std::string_view in) {
  const std::string orig(in);
  auto bad = [&] {
    return Error(ErrorCode::kInvalidArgument, "invalid duration \"" + orig + "\"");
  };
  std::string_view s = in;
  if (s.empty()) return bad();
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Nanos(0);
  if (s.empty()) return bad();
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    long double v = 0;
    bool digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        v += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return bad();
    size_t u = i;
    while (u < s.size() && !std::isdigit(static_cast<unsigned char>(s[u])) && s[u] != '.') ++u;
    const std::string_view unit = s.substr(i, u - i);
    long double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1e3L;
    else if (unit == "ms")
      mult = 1e6L;
    else if (unit == "s")
      mult = 1e9L;
    else if (unit == "m")
      mult = 60e9L;
    else if (unit == "h")
      mult = 3600e9L;
    else if (unit == "d")
      mult = 86400e9L;
    else
      return bad();
    total += v * mult;
    s.remove_prefix(u);
  }
  if (total > 9.2e18L) return bad();
  const auto ns = static_cast<int64_t>(std::llround(static_cast<double>(total)));
  return Nanos(neg ? -ns : ns);
}

namespace {
// Formats v/10^prec with trailing zeros (and a bare '.') removed.
std::string frac_str(uint64_t v, int prec) {
  uint64_t pow = 1;
  for (int i = 0; i < prec; ++i) pow *= 10;
  std::string out = std::to_string(v / pow);
  uint64_t f = v % pow;
  if (f != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*llu", prec, static_cast<unsigned long long>(f));
    std::string fs(buf);
    while (!fs.empty() && fs.back() == '0') fs.pop_back();
    out += "." + fs;
  }
  return out;
}
}  // namespace

std::string format_go_duration(Nanos d) {
  int64_t n = d.count();
  if (n == 0) return "0s";
  const bool neg = n < 0;
  uint64_t u = neg ? static_cast<uint64_t>(-(n + 1)) + 1 : static_cast<uint64_t>(n);
  std::string out;
  if (u < 1'000'000'000ULL) {
    if (u < 1000)
      out = std::to_string(u) + "ns";
    else if (u < 1'000'000)
      out = frac_str(u, 3) + "\xC2\xB5s";
    else
      out = frac_str(u, 6) + "ms";
  } else {
    const uint64_t secs_total = u / 1'000'000'000ULL;
    const uint64_t frac = u % 1'000'000'000ULL;
    const uint64_t h = secs_total / 3600;
    const uint64_t m = (secs_total % 3600) / 60;
    const uint64_t s = secs_total % 60;
    std::string sec = frac_str(s * 1'000'000'000ULL + frac, 9) + "s";
    if (h > 0)
      out = std::to_string(h) + "h" + std::to_string(m) + "m" + sec;
    else if (m > 0)
      out = std::to_string(m) + "m" + sec;
    else
      out = sec;
  }
  return neg ? "-" + out : out;
}

}  // namespace osapi
