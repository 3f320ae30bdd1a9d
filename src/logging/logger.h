// Structured logging to stderr: text (Go slog-like) or JSON lines.
// When a span is active on the calling thread, trace_id and span_id are the last two fields.
// The logging layer knows nothing of OpenTelemetry: telemetry installs a context provider.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace osapi::logging {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

struct Field {
  using Value = std::variant<std::string, long long, double, bool>;
  std::string key;
  Value value;

  Field(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  Field(std::string k, std::string_view v) : key(std::move(k)), value(std::string(v)) {}
  Field(std::string k, const char* v) : key(std::move(k)), value(std::string(v ? v : "")) {}
  Field(std::string k, bool v) : key(std::move(k)), value(v) {}
  Field(std::string k, int v) : key(std::move(k)), value(static_cast<long long>(v)) {}
  Field(std::string k, long v) : key(std::move(k)), value(static_cast<long long>(v)) {}
  Field(std::string k, long long v) : key(std::move(k)), value(v) {}
  Field(std::string k, unsigned v) : key(std::move(k)), value(static_cast<long long>(v)) {}
  Field(std::string k, unsigned long v) : key(std::move(k)), value(static_cast<long long>(v)) {}
  Field(std::string k, unsigned long long v)
      : key(std::move(k)), value(static_cast<long long>(v)) {}
  Field(std::string k, double v) : key(std::move(k)), value(v) {}
};
using Fields = std::vector<Field>;

// Fills 32 + 16 lowercase hex chars and returns true when the calling thread has a valid span.
using ContextProvider = bool (*)(char trace_id[32], char span_id[16]);

struct Options {
  Level level = Level::kInfo;
  Format format = Format::kText;
  FILE* out = stderr;  // tests may point this at a temp file
  bool color = false;  // text format only; callers pass isatty(stderr)
};

void init(const Options& options);
void set_context_provider(ContextProvider provider);
bool enabled(Level level);

void log(Level level, std::string_view msg, const Fields& fields = {});
inline void debug(std::string_view msg, const Fields& f = {}) {
  log(Level::kDebug, msg, f);
}
inline void info(std::string_view msg, const Fields& f = {}) {
  log(Level::kInfo, msg, f);
}
inline void warn(std::string_view msg, const Fields& f = {}) {
  log(Level::kWarn, msg, f);
}
inline void error(std::string_view msg, const Fields& f = {}) {
  log(Level::kError, msg, f);
}

// Formats one record without writing it (used by tests and benchmarks).
std::string format_line(Level level, std::string_view msg, const Fields& fields);

}  // namespace osapi::logging
