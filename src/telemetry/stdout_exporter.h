// Project-written span exporter: each Export() writes one line holding an
// OTLP/JSON ExportTraceServiceRequest. The SDK's ostream exporter prints a human block instead.
#pragma once

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <opentelemetry/nostd/span.h>
#include <opentelemetry/sdk/common/exporter_utils.h>
#include <opentelemetry/sdk/trace/exporter.h>
#include <opentelemetry/sdk/trace/recordable.h>

namespace osapi::telemetry {

class StdoutJsonExporter final : public opentelemetry::sdk::trace::SpanExporter {
 public:
  // `out` is not owned and must outlive the exporter.
  explicit StdoutJsonExporter(FILE* out = stdout) : out_(out) {}

  std::unique_ptr<opentelemetry::sdk::trace::Recordable> MakeRecordable() noexcept override;

  opentelemetry::sdk::common::ExportResult Export(
      const opentelemetry::nostd::span<std::unique_ptr<opentelemetry::sdk::trace::Recordable>>&
          spans) noexcept override;

  bool ForceFlush(
      std::chrono::microseconds timeout = (std::chrono::microseconds::max)()) noexcept override;

  bool Shutdown(
      std::chrono::microseconds timeout = (std::chrono::microseconds::max)()) noexcept override;

  // The JSON line (without newline) for a batch of SpanData recordables; "" when none are
  // SpanData. Exposed for tests.
  static std::string to_json(
      const opentelemetry::nostd::span<std::unique_ptr<opentelemetry::sdk::trace::Recordable>>&
          spans);

 private:
  FILE* out_;
  std::mutex mu_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace osapi::telemetry
