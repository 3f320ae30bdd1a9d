// One log line (text format, written to /dev/null) without and with trace correlation: the
// same record, first with tracing disabled, then inside an active recording span so trace_id
// and span_id are appended. Baseline: fmt-free snprintf of a comparable line plus the same
// fwrite+fflush, the floor for "format and write one line".
#include <benchmark/benchmark.h>

#include <cstdio>

#include <opentelemetry/trace/scope.h>

#include "../telemetry/bench_util.h"
#include "logging/logger.h"

namespace osapi::bench {
namespace {

const logging::Fields& job_fields() {
  static const logging::Fields f{{"job_id", "2f0c6d0e-8a43-4b55-9f0e-2c9d1f7e6a10"},
                                 {"type", "query"},
                                 {"category", "node"},
                                 {"operation", "hostname.get"}};
  return f;
}

void BM_LogLine_NoCorrelation(benchmark::State& state) {
  quiet_logging();
  auto handle = our_tracing(false);
  for (auto _ : state) logging::info("processing job", job_fields());
}

void BM_LogLine_WithCorrelation(benchmark::State& state) {
  quiet_logging();
  auto handle = our_tracing(true);
  auto span = telemetry::tracer()->StartSpan("job.process");
  otel::trace::Scope scope(span);
  for (auto _ : state) logging::info("processing job", job_fields());
  span->End();
}

void BM_LogLine_SnprintfFloor(benchmark::State& state) {
  char buf[512];
  FILE* out = dev_null();
  for (auto _ : state) {
    const int n = std::snprintf(buf, sizeof buf,
                                "%s INF processing job job_id=%s type=%s category=%s "
                                "operation=%s\n",
                                "8:41PM", "2f0c6d0e-8a43-4b55-9f0e-2c9d1f7e6a10", "query", "node",
                                "hostname.get");
    std::fwrite(buf, 1, static_cast<size_t>(n), out);
    std::fflush(out);
  }
}

}  // namespace

BENCHMARK(BM_LogLine_NoCorrelation);
BENCHMARK(BM_LogLine_WithCorrelation);
BENCHMARK(BM_LogLine_SnprintfFloor);

}  // namespace osapi::bench
