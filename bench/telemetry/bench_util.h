// Helpers shared by the micro benchmarks: our tracing set up from a config, and bare
// opentelemetry-cpp SDK providers built the same way, so each figure has its SDK baseline.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <opentelemetry/sdk/trace/exporter.h>
#include <opentelemetry/sdk/trace/processor.h>
#include <opentelemetry/sdk/trace/sampler.h>
#include <opentelemetry/sdk/trace/span_data.h>
#include <opentelemetry/sdk/trace/tracer_provider.h>

#include "logging/logger.h"
#include "telemetry/tracing.h"

namespace osapi::bench {

namespace otel = opentelemetry;
namespace sdktrace = otel::sdk::trace;

// /dev/null as a FILE*, opened once (the logger and the stdout exporter write there).
inline FILE* dev_null() {
  static FILE* f = std::fopen("/dev/null", "w");
  return f;
}

// Logger at info level writing to /dev/null, so log calls do their full formatting work.
inline void quiet_logging() {
  logging::Options o;
  o.level = logging::Level::kInfo;
  o.out = dev_null();
  logging::init(o);
}

// Our tracing layer, configured like a role would be. exporter: "" (none) or "stdout" (to
// /dev/null). Aborts the benchmark run if init fails: a misconfigured baseline is worthless.
inline std::unique_ptr<telemetry::TracingHandle> our_tracing(
    bool enabled, const std::string& exporter = "", const std::string& sampler = "always_on") {
  telemetry::TracingOptions o;
  o.service_name = "osapi-bench";
  o.tracing.enabled = enabled;
  o.tracing.exporter = exporter;
  o.tracing.sampler = sampler;
  o.stdout_exporter_stream = dev_null();
  auto h = telemetry::init_tracing(o);
  if (!h) {
    std::fprintf(stderr, "init_tracing: %s\n", h.error().message.c_str());
    std::abort();
  }
  return std::move(h.value());
}

// Accepts and discards every batch: the "no exporter" cost of a batch processor.
class NoopExporter final : public sdktrace::SpanExporter {
 public:
  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return std::unique_ptr<sdktrace::Recordable>(new sdktrace::SpanData());
  }
  otel::sdk::common::ExportResult Export(
      const otel::nostd::span<std::unique_ptr<sdktrace::Recordable>>&) noexcept override {
    return otel::sdk::common::ExportResult::kSuccess;
  }
  bool ForceFlush(std::chrono::microseconds) noexcept override { return true; }
  bool Shutdown(std::chrono::microseconds) noexcept override { return true; }
};

enum class SdkProcessor { kNone, kBatchNoopExporter };

// A bare SDK provider: parent-based sampler over always_on/always_off, default resource.
std::shared_ptr<sdktrace::TracerProvider> sdk_provider(SdkProcessor processor, bool sample);

}  // namespace osapi::bench
