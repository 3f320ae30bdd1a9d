#include "logging/logger.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <type_traits>

#include "common/strings.h"
#include "common/time.h"

namespace osapi::logging {

namespace {

struct State {
  std::atomic<int> level{static_cast<int>(Level::kInfo)};
  Format format = Format::kText;
  FILE* out = stderr;
  bool color = false;
  std::atomic<ContextProvider> provider{nullptr};
  std::mutex mu;
};

State& state() {
  static State* s = new State();  // never destroyed: logging works during static teardown
  return *s;
}

bool is_secret_key(std::string_view key) {
  for (std::string_view s :
       {"password", "signing_key", "bearer_token", "token", "authorization", "otlp_headers"}) {
    if (key == s) return true;
    if (key.size() > s.size() && key.substr(key.size() - s.size()) == s &&
        key[key.size() - s.size() - 1] == '.')
      return true;
  }
  return false;
}

// Go slog TextHandler quoting: quote when empty or containing space, '"', '=' or non-printables.
bool needs_quote(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) return true;
  }
  return false;
}

void append_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  append_json_escaped(out, s);
  out.push_back('"');
}

std::string number_text(double d) {
  if (!std::isfinite(d)) return std::isnan(d) ? "NaN" : (d > 0 ? "+Inf" : "-Inf");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  // Shortest representation that round-trips.
  for (int prec = 1; prec <= 17; ++prec) {
    char b2[32];
    std::snprintf(b2, sizeof b2, "%.*g", prec, d);
    if (std::strtod(b2, nullptr) == d) return b2;
  }
  return buf;
}

const char* text_level(Level l) {
  switch (l) {
    case Level::kDebug:
      return "DBG";
    case Level::kInfo:
      return "INF";
    case Level::kWarn:
      return "WRN";
    case Level::kError:
      return "ERR";
  }
  return "INF";
}

const char* json_level(Level l) {
  switch (l) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarn:
      return "WARN";
    case Level::kError:
      return "ERROR";
  }
  return "INFO";
}

const char* level_color(Level l) {
  switch (l) {
    case Level::kDebug:
      return "\x1b[90m";
    case Level::kInfo:
      return "\x1b[92m";
    case Level::kWarn:
      return "\x1b[93m";
    case Level::kError:
      return "\x1b[91m";
  }
  return "";
}

}  // namespace

void init(const Options& o) {
  State& s = state();
  std::lock_guard<std::mutex> lk(s.mu);
  s.level = static_cast<int>(o.level);
  s.format = o.format;
  s.out = o.out ? o.out : stderr;
  s.color = o.color && o.format == Format::kText;
}

void set_context_provider(ContextProvider provider) {
  state().provider = provider;
}

bool enabled(Level level) {
  return static_cast<int>(level) >= state().level.load();
}

std::string format_line(Level level, std::string_view msg, const Fields& fields) {
  State& s = state();
  char trace_id[32], span_id[16];
  const ContextProvider p = s.provider.load();
  const bool have_ids = p != nullptr && p(trace_id, span_id);
  const auto now = Clock::now();
  std::string out;
  out.reserve(128 + msg.size() + fields.size() * 24);

  if (s.format == Format::kJson) {
    out += "{\"time\":\"";
    out += rfc3339_nano_local(now);
    out += "\",\"level\":\"";
    out += json_level(level);
    out += "\",\"msg\":";
    append_json_string(out, msg);
    for (const auto& f : fields) {
      out.push_back(',');
      append_json_string(out, f.key);
      out.push_back(':');
      if (is_secret_key(f.key)) {
        out += "\"****\"";
        continue;
      }
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
              append_json_string(out, v);
            else if constexpr (std::is_same_v<T, bool>)
              out += v ? "true" : "false";
            else if constexpr (std::is_same_v<T, long long>)
              out += std::to_string(v);
            else {
              if (std::isfinite(v))
                out += number_text(v);
              else
                append_json_string(out, number_text(v));
            }
          },
          f.value);
    }
    if (have_ids) {
      out += ",\"trace_id\":\"";
      out.append(trace_id, 32);
      out += "\",\"span_id\":\"";
      out.append(span_id, 16);
      out += "\"";
    }
    out += "}\n";
    return out;
  }

  const bool color = s.color;
  out += kitchen_time(now);
  out.push_back(' ');
  if (color) out += level_color(level);
  out += text_level(level);
  if (color) out += "\x1b[0m";
  out.push_back(' ');
  out.append(msg);
  for (const auto& f : fields) {
    out.push_back(' ');
    if (color) out += "\x1b[2m";
    out += f.key;
    out.push_back('=');
    if (color) out += "\x1b[0m";
    if (is_secret_key(f.key)) {
      out += "****";
      continue;
    }
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            if (needs_quote(v))
              append_quoted(out, v);
            else
              out += v;
          } else if constexpr (std::is_same_v<T, bool>) {
            out += v ? "true" : "false";
          } else if constexpr (std::is_same_v<T, long long>) {
            out += std::to_string(v);
          } else {
            out += number_text(v);
          }
        },
        f.value);
  }
  if (have_ids) {
    out += " trace_id=";
    out.append(trace_id, 32);
    out += " span_id=";
    out.append(span_id, 16);
  }
  out.push_back('\n');
  return out;
}

void log(Level level, std::string_view msg, const Fields& fields) {
  if (!enabled(level)) return;
  const std::string line = format_line(level, msg, fields);
  State& s = state();
  std::lock_guard<std::mutex> lk(s.mu);
  std::fwrite(line.data(), 1, line.size(), s.out);
  std::fflush(s.out);
}

}  // namespace osapi::logging
