// Strict W3C Trace Context level 1 (https://www.w3.org/TR/trace-context/) over our header lists.
// Own parser rather than HttpTraceContext: it is stricter (version 00 exact length, lowercase
// only), validates tracestate as a whole, and never allocates on the reject path.
#include "telemetry/propagation.h"

#include <array>
#include <cstdint>
#include <utility>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/default_span.h>
#include <opentelemetry/trace/span_id.h>
#include <opentelemetry/trace/trace_flags.h>
#include <opentelemetry/trace/trace_id.h>
#include <opentelemetry/trace/trace_state.h>

#include "telemetry/tracing.h"

namespace osapi::telemetry {

namespace {

namespace trace = otel::trace;

constexpr size_t kTraceparentLen = 55;  // 2 + 1 + 32 + 1 + 16 + 1 + 2
constexpr size_t kMaxTracestateLen = 512;
constexpr size_t kMaxTracestateMembers = 32;

// Lowercase hex digit → value; 0xFF for anything else (uppercase included).
constexpr std::array<uint8_t, 256> kHexValue = [] {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 0xFF;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  return t;
}();

inline uint8_t hex_value(char c) {
  return kHexValue[static_cast<unsigned char>(c)];
}

// Decodes two lowercase hex chars into `out`; false on any other character.
inline bool decode_byte(char hi, char lo, uint8_t& out) {
  const uint8_t h = hex_value(hi);
  const uint8_t l = hex_value(lo);
  out = static_cast<uint8_t>(h << 4 | l);
  return ((h | l) & 0xF0) == 0;
}

// Decodes 2*N lowercase hex chars; false on any other character or an all-zero value.
template <size_t N>
bool decode_id(const char* hex, std::array<uint8_t, N>& out) {
  uint8_t bad = 0;
  uint8_t any = 0;
  for (size_t i = 0; i < N; ++i) {
    const uint8_t h = hex_value(hex[2 * i]);
    const uint8_t l = hex_value(hex[2 * i + 1]);
    bad |= h | l;
    out[i] = static_cast<uint8_t>(h << 4 | l);
    any |= out[i];
  }
  return (bad & 0xF0) == 0 && any != 0;
}

bool is_lcalpha(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_key_char(char c) {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// key = simple-key / multi-tenant-key (W3C tracestate §3.3.1.3.1).
bool valid_key(std::string_view key) {
  const size_t at = key.find('@');
  if (at == std::string_view::npos) {
    if (key.empty() || key.size() > 256 || !is_lcalpha(key[0])) return false;
    for (char c : key)
      if (!is_key_char(c)) return false;
    return true;
  }
  const std::string_view tenant = key.substr(0, at);
  const std::string_view system = key.substr(at + 1);
  if (tenant.empty() || tenant.size() > 241 || system.empty() || system.size() > 14) return false;
  if (!is_lcalpha(tenant[0]) && !is_digit(tenant[0])) return false;
  if (!is_lcalpha(system[0])) return false;
  for (char c : tenant)
    if (!is_key_char(c)) return false;
  for (char c : system)
    if (!is_key_char(c)) return false;
  return true;
}

// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E.
bool valid_value(std::string_view v) {
  if (v.empty() || v.size() > 256) return false;
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  }
  return v.back() != ' ';
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Returns the normalized tracestate ("" for an empty list), or nullopt when malformed or over
// the limits (then it is dropped as a whole).
std::optional<std::string> normalize_tracestate(std::string_view ts) {
  if (ts.size() > kMaxTracestateLen) return std::nullopt;
  std::string out;
  std::array<std::string_view, kMaxTracestateMembers> keys;
  size_t members = 0;
  while (true) {
    const size_t comma = ts.find(',');
    const std::string_view member = trim_ows(ts.substr(0, comma));
    if (!member.empty()) {
      const size_t eq = member.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      const std::string_view key = member.substr(0, eq);
      if (!valid_key(key) || !valid_value(member.substr(eq + 1))) return std::nullopt;
      if (members == kMaxTracestateMembers) return std::nullopt;
      for (size_t i = 0; i < members; ++i)
        if (keys[i] == key) return std::nullopt;  // duplicate keys are invalid
      keys[members++] = key;
      if (!out.empty()) out.push_back(',');
      out.append(member);
    }
    if (comma == std::string_view::npos) break;
    ts.remove_prefix(comma + 1);
  }
  return out;
}

// ASCII case-insensitive name match against a lowercase, letters-only name (what iequals does for
// "traceparent"/"tracestate", without a locale call per character).
bool is_name(std::string_view key, std::string_view lower_name) {
  if (key.size() != lower_name.size()) return false;
  unsigned diff = 0;
  for (size_t i = 0; i < key.size(); ++i)
    diff |=
        (static_cast<unsigned char>(key[i]) | 0x20u) ^ static_cast<unsigned char>(lower_name[i]);
  return diff == 0;
}

// All tracestate values joined with ',' (W3C: multiple headers are one list).
std::string join_tracestate(const Headers& headers) {
  std::string joined;
  bool first = true;
  for (const auto& [k, v] : headers) {
    if (!is_name(k, "tracestate")) continue;
    if (!first) joined += ',';
    first = false;
    joined += v;
  }
  return joined;
}

otel::context::Context with_remote_parent(otel::context::Context base,
                                          const trace::SpanContext& sc) {
  otel::nostd::shared_ptr<trace::Span> span(new trace::DefaultSpan(sc));
  return trace::SetSpan(base, span);
}

}  // namespace

std::optional<trace::SpanContext> parse_traceparent(std::string_view tp, std::string_view ts) {
  if (tp.size() < kTraceparentLen) return std::nullopt;
  uint8_t version = 0;
  if (!decode_byte(tp[0], tp[1], version)) return std::nullopt;
  if (version == 0xff) return std::nullopt;
  if (version == 0) {
    if (tp.size() != kTraceparentLen) return std::nullopt;
  } else if (tp.size() > kTraceparentLen && tp[kTraceparentLen] != '-') {
    return std::nullopt;  // future versions may append "-<more>" only
  }
  if (tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return std::nullopt;

  std::array<uint8_t, 16> trace_id;
  std::array<uint8_t, 8> span_id;
  uint8_t flags = 0;
  if (!decode_id(tp.data() + 3, trace_id)) return std::nullopt;
  if (!decode_id(tp.data() + 36, span_id)) return std::nullopt;
  if (!decode_byte(tp[53], tp[54], flags)) return std::nullopt;

  otel::nostd::shared_ptr<trace::TraceState> state;
  if (!ts.empty()) {
    if (auto norm = normalize_tracestate(ts); norm && !norm->empty())
      state = trace::TraceState::FromHeader(*norm);
  }
  if (!state) state = trace::TraceState::GetDefault();
  // Level 1 defines only the sampled bit; other bits are not propagated. Built in place:
  // SpanContext has no move constructor, so a temporary would cost a reference-count round trip.
  return std::optional<trace::SpanContext>(
      std::in_place, trace::TraceId(otel::nostd::span<const uint8_t, 16>(trace_id.data(), 16)),
      trace::SpanId(otel::nostd::span<const uint8_t, 8>(span_id.data(), 8)),
      trace::TraceFlags(flags & trace::TraceFlags::kIsSampled),
      /*is_remote=*/true, std::move(state));
}

std::string format_traceparent(const trace::SpanContext& sc) {
  if (!sc.IsValid()) return "";
  std::string out(kTraceparentLen, '-');
  out[0] = '0';
  out[1] = '0';
  sc.trace_id().ToLowerBase16(otel::nostd::span<char, 32>(&out[3], 32));
  sc.span_id().ToLowerBase16(otel::nostd::span<char, 16>(&out[36], 16));
  out[53] = '0';
  out[54] = sc.IsSampled() ? '1' : '0';
  return out;
}

std::string format_tracestate(const trace::SpanContext& sc) {
  if (!sc.IsValid()) return "";
  const auto& state = sc.trace_state();
  if (!state || state->Empty()) return "";
  return state->ToHeader();
}

void inject(const otel::context::Context& ctx, Headers& headers) {
  if (!enabled()) return;
  const trace::SpanContext sc = trace::GetSpan(ctx)->GetContext();
  if (!sc.IsValid()) return;
  headers.emplace_back("traceparent", format_traceparent(sc));
  std::string ts = format_tracestate(sc);
  if (!ts.empty()) headers.emplace_back("tracestate", std::move(ts));
}

void inject_current(Headers& headers) {
  if (!enabled()) return;
  inject(otel::context::RuntimeContext::GetCurrent(), headers);
}

otel::context::Context extract(const Headers& headers) {
  return extract(headers, otel::context::RuntimeContext::GetCurrent());
}

otel::context::Context extract(const Headers& headers, const otel::context::Context& base) {
  auto sc = extract_span_context(headers);
  if (!sc) return base;
  return with_remote_parent(base, *sc);
}

std::optional<trace::SpanContext> extract_span_context(const Headers& headers) {
  if (!enabled()) return std::nullopt;
  // One pass for the first traceparent and the tracestate headers; a second (allocating) one only
  // to join several tracestate headers.
  const std::string* tp = nullptr;
  const std::string* ts = nullptr;
  int ts_count = 0;
  for (const auto& [k, v] : headers) {
    if (tp == nullptr && is_name(k, "traceparent")) {
      tp = &v;
    } else if (is_name(k, "tracestate")) {
      if (ts_count++ == 0) ts = &v;
    }
  }
  if (tp == nullptr) return std::nullopt;
  if (ts_count > 1) return parse_traceparent(*tp, join_tracestate(headers));
  return parse_traceparent(*tp, ts ? std::string_view(*ts) : std::string_view());
}

otel::context::Context context_from_strings(const std::string& traceparent,
                                            const std::string& tracestate) {
  otel::context::Context base = otel::context::RuntimeContext::GetCurrent();
  if (!enabled()) return base;
  auto sc = parse_traceparent(traceparent, tracestate);
  if (!sc) return base;
  return with_remote_parent(base, *sc);
}

}  // namespace osapi::telemetry
