// Helpers shared by the telemetry tests.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opentelemetry/trace/span_id.h>
#include <opentelemetry/trace/trace_id.h>

namespace osapi::telemetry::testing {

// A temp file (deleted on close) that collects exporter or logger output.
class TempSink {
 public:
  TempSink() : f_(std::tmpfile()) {}
  ~TempSink() {
    if (f_) std::fclose(f_);
  }
  TempSink(const TempSink&) = delete;
  TempSink& operator=(const TempSink&) = delete;

  FILE* file() const { return f_; }

  std::string contents() const {
    std::fflush(f_);
    std::string out;
    const long pos = std::ftell(f_);
    std::rewind(f_);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f_)) > 0) out.append(buf, n);
    std::fseek(f_, pos, SEEK_SET);
    return out;
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::string all = contents();
    size_t start = 0;
    while (start < all.size()) {
      size_t nl = all.find('\n', start);
      if (nl == std::string::npos) nl = all.size();
      out.push_back(all.substr(start, nl - start));
      start = nl + 1;
    }
    return out;
  }

 private:
  FILE* f_;
};

inline std::string hex(const opentelemetry::trace::TraceId& id) {
  char b[32];
  id.ToLowerBase16(opentelemetry::nostd::span<char, 32>(b, 32));
  return std::string(b, 32);
}
inline std::string hex(const opentelemetry::trace::SpanId& id) {
  char b[16];
  id.ToLowerBase16(opentelemetry::nostd::span<char, 16>(b, 16));
  return std::string(b, 16);
}

inline bool is_lower_hex(const std::string& s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace osapi::telemetry::testing
