// Per-process tracing setup: an opentelemetry-cpp TracerProvider with
// service.name, a parent-based sampler, and the exporter chosen by config (none / stdout / otlp).
// The W3C propagator is always installed. Log correlation is wired into the logging layer.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <opentelemetry/nostd/shared_ptr.h>
#include <opentelemetry/trace/span.h>
#include <opentelemetry/trace/tracer.h>

#include "common/result.h"
#include "config/config.h"

namespace osapi::telemetry {

namespace otel = opentelemetry;

struct TracingOptions {
  std::string service_name;       // osapi-cli | osapi-api | osapi-agent | osapi-nats
  std::string service_namespace;  // NATS namespace; omitted when empty
  config::Tracing tracing;        // enabled already forced on by debug/--trace
  // Where the stdout exporter writes (the CLI uses stderr so stdout stays parseable).
  FILE* stdout_exporter_stream = stdout;
  std::chrono::milliseconds shutdown_deadline{5000};
};

// Owns the provider; flushes with the deadline and shuts down on destruction.
class TracingHandle {
 public:
  virtual ~TracingHandle() = default;
  virtual void flush() = 0;
};

// Fails for an unsupported exporter (`unsupported tracing exporter: "x"`) or missing endpoint.
// OTEL_* environment variables are applied here (precedence: otel_env.h).
Result<std::unique_ptr<TracingHandle>> init_tracing(const TracingOptions& options);

// True when init_tracing installed an SDK provider (tracing enabled).
bool enabled();

// The process tracer (scope name = service name). A no-op tracer when disabled.
const otel::nostd::shared_ptr<otel::trace::Tracer>& tracer();

// Marks a span failed: status ERROR with the message and an `exception` event.
void record_error(otel::trace::Span& span, const std::string& type, const std::string& message);

// Hex ids of the span active on this thread ("" when none / invalid).
std::string current_trace_id();
std::string current_span_id();

// Spans dropped because the batch queue was full, since process start.
uint64_t spans_dropped();

}  // namespace osapi::telemetry
