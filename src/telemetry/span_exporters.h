// The exporter and sampler a tracing config asks for: OTLP (gRPC or HTTP, TLS, headers,
// loaded from the OTLP module), wrapped so an abandoned shutdown fails exports fast; the
// parent-based sampler over always_on, always_off or traceidratio.
#pragma once

#include <atomic>
#include <memory>

#include <opentelemetry/sdk/trace/exporter.h>
#include <opentelemetry/sdk/trace/sampler.h>

#include "common/result.h"
#include "config/config.h"

namespace osapi::telemetry {

namespace sdktrace = opentelemetry::sdk::trace;

// Forwards to `inner` until `abandoned` is set; then every export fails at once, so a
// draining batch processor cannot hold process exit past the shutdown deadline.
std::unique_ptr<sdktrace::SpanExporter> bounded_exporter(
    std::unique_ptr<sdktrace::SpanExporter> inner, std::shared_ptr<std::atomic<bool>> abandoned);

// Errors name the telemetry.tracing key at fault.
Result<std::unique_ptr<sdktrace::SpanExporter>> make_otlp_exporter(const config::Tracing& t);
Result<std::unique_ptr<sdktrace::Sampler>> make_sampler(const config::Tracing& t);

}  // namespace osapi::telemetry
