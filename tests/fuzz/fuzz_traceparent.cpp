// traceparent / tracestate parsing (telemetry::parse_traceparent). Input:
// "<traceparent>\n<tracestate>". A parse that succeeds must round-trip: format → parse gives the
// same ids and sampled flag.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telemetry/propagation.h"

// propagation.cpp asks whether tracing is on (only for inject/extract); the parser is pure, so
// the fuzzer links it without the tracer provider and its exporters.
namespace osapi::telemetry {
bool enabled() {
  return true;
}
}  // namespace osapi::telemetry

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  const std::string_view tp = in.substr(0, nl);
  const std::string_view ts = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  const auto sc = osapi::telemetry::parse_traceparent(tp, ts);
  if (!sc) return 0;
  if (!sc->IsValid()) std::abort();
  const std::string again = osapi::telemetry::format_traceparent(*sc);
  const std::string state = osapi::telemetry::format_tracestate(*sc);
  const auto sc2 = osapi::telemetry::parse_traceparent(again, state);
  if (!sc2 || sc2->trace_id() != sc->trace_id() || sc2->span_id() != sc->span_id() ||
      sc2->IsSampled() != sc->IsSampled())
    std::abort();
  return 0;
}
