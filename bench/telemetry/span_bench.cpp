// Span start+end through our telemetry layer (telemetry::tracer(), as the middleware and job
// client call it) beside the same operation on a bare opentelemetry-cpp SDK provider.
#include <benchmark/benchmark.h>

#include <opentelemetry/sdk/trace/batch_span_processor_factory.h>
#include <opentelemetry/sdk/trace/batch_span_processor_options.h>
#include <opentelemetry/sdk/trace/samplers/always_off.h>
#include <opentelemetry/sdk/trace/samplers/always_on.h>
#include <opentelemetry/sdk/trace/samplers/parent.h>
#include <opentelemetry/sdk/trace/tracer_provider_factory.h>
#include <opentelemetry/trace/noop.h>

#include "bench_util.h"

namespace osapi::bench {

std::shared_ptr<sdktrace::TracerProvider> sdk_provider(SdkProcessor processor, bool sample) {
  std::vector<std::unique_ptr<sdktrace::SpanProcessor>> processors;
  if (processor == SdkProcessor::kBatchNoopExporter) {
    sdktrace::BatchSpanProcessorOptions bo;  // defaults = our config defaults (2048/512/5s)
    processors.push_back(
        sdktrace::BatchSpanProcessorFactory::Create(std::make_unique<NoopExporter>(), bo));
  }
  std::shared_ptr<sdktrace::Sampler> root;
  if (sample)
    root = std::make_shared<sdktrace::AlwaysOnSampler>();
  else
    root = std::make_shared<sdktrace::AlwaysOffSampler>();
  return sdktrace::TracerProviderFactory::Create(
      std::move(processors), otel::sdk::resource::Resource::Create({}),
      std::unique_ptr<sdktrace::Sampler>(new sdktrace::ParentBasedSampler(root)));
}

namespace {

void run_ours(benchmark::State& state) {
  for (auto _ : state) {
    auto span = telemetry::tracer()->StartSpan("GET /node/hostname");
    span->End();
  }
}

void run_sdk(benchmark::State& state, const std::shared_ptr<sdktrace::TracerProvider>& provider) {
  auto tracer = provider->GetTracer("osapi-bench");
  for (auto _ : state) {
    auto span = tracer->StartSpan("GET /node/hostname");
    span->End();
  }
  provider->Shutdown();
}

// Recording, no processor: what `exporter: ""` does (ids for propagation and logs only).
void BM_SpanRecordingNoExporter_Ours(benchmark::State& state) {
  quiet_logging();
  auto handle = our_tracing(true, "");
  run_ours(state);
}
void BM_SpanRecordingNoExporter_Sdk(benchmark::State& state) {
  run_sdk(state, sdk_provider(SdkProcessor::kNone, true));
}

// Recording into a batch processor. The SDK side exports to a no-op exporter; ours has no
// no-op exporter, so it uses its stdout exporter writing to /dev/null (serialisation happens on
// the batch thread, outside the measured CPU time of this thread).
void BM_SpanRecordingBatch_Ours(benchmark::State& state) {
  quiet_logging();
  auto handle = our_tracing(true, "stdout");
  run_ours(state);
}
void BM_SpanRecordingBatch_Sdk(benchmark::State& state) {
  run_sdk(state, sdk_provider(SdkProcessor::kBatchNoopExporter, true));
}

// Sampled out: parent-based always_off.
void BM_SpanSampledOut_Ours(benchmark::State& state) {
  quiet_logging();
  auto handle = our_tracing(true, "", "always_off");
  run_ours(state);
}
void BM_SpanSampledOut_Sdk(benchmark::State& state) {
  run_sdk(state, sdk_provider(SdkProcessor::kNone, false));
}

// Tracing disabled: our no-op path beside the SDK's no-op tracer.
void BM_SpanDisabled_Ours(benchmark::State& state) {
  quiet_logging();
  auto handle = our_tracing(false);
  run_ours(state);
}
void BM_SpanDisabled_Sdk(benchmark::State& state) {
  // Through the Tracer interface, as callers holding a provider's tracer do.
  otel::nostd::shared_ptr<otel::trace::Tracer> tracer(new otel::trace::NoopTracer());
  for (auto _ : state) {
    auto span = tracer->StartSpan("GET /node/hostname");
    span->End();
  }
}

}  // namespace

BENCHMARK(BM_SpanRecordingNoExporter_Ours);
BENCHMARK(BM_SpanRecordingNoExporter_Sdk);
BENCHMARK(BM_SpanRecordingBatch_Ours);
BENCHMARK(BM_SpanRecordingBatch_Sdk);
BENCHMARK(BM_SpanSampledOut_Ours);
BENCHMARK(BM_SpanSampledOut_Sdk);
BENCHMARK(BM_SpanDisabled_Ours);
BENCHMARK(BM_SpanDisabled_Sdk);

}  // namespace osapi::bench
