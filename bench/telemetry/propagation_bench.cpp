// traceparent extract/inject through our carriers (telemetry::extract/extract_span_context/
// inject over Headers) beside the SDK's HttpTraceContext over a TextMapCarrier on the same header
// list. Two header shapes: an HTTP request (traceparent among the usual headers) and a NATS message
// (few headers).
#include <benchmark/benchmark.h>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/propagation/http_trace_context.h>

#include "bench_util.h"
#include "common/headers.h"
#include "telemetry/propagation.h"

namespace osapi::bench {
namespace {

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

Headers http_headers() {
  return {{"Host", "127.0.0.1:8080"},
          {"User-Agent", "osapi/0.1.0"},
          {"Accept", "application/json"},
          {"Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"},
          {"Content-Type", "application/json"},
          {"traceparent", kTraceparent}};
}

Headers nats_headers() {
  return {{"Nats-Msg-Id", "2f0c6d0e-8a43-4b55-9f0e-2c9d1f7e6a10"}, {"traceparent", kTraceparent}};
}

// The SDK's carrier over our header list: same case-insensitive lookup as ours.
class HeadersCarrier final : public otel::context::propagation::TextMapCarrier {
 public:
  explicit HeadersCarrier(Headers& h) : h_(h) {}
  otel::nostd::string_view Get(otel::nostd::string_view key) const noexcept override {
    const std::string* v = find_header(h_, std::string_view(key.data(), key.size()));
    return v ? otel::nostd::string_view(*v) : otel::nostd::string_view();
  }
  void Set(otel::nostd::string_view key, otel::nostd::string_view value) noexcept override {
    h_.emplace_back(std::string(key.data(), key.size()), std::string(value.data(), value.size()));
  }

 private:
  Headers& h_;
};

void extract_ours(benchmark::State& state, Headers headers) {
  quiet_logging();
  auto handle = our_tracing(true);
  const otel::context::Context base;
  for (auto _ : state) {
    auto ctx = telemetry::extract(headers, base);
    benchmark::DoNotOptimize(ctx);
  }
  if (!otel::trace::GetSpan(telemetry::extract(headers, base))->GetContext().IsValid())
    state.SkipWithError("extract produced no remote parent");
}

// The request path: the remote parent as a SpanContext for StartSpanOptions::parent.
void extract_span_context_ours(benchmark::State& state, Headers headers) {
  quiet_logging();
  auto handle = our_tracing(true);
  for (auto _ : state) {
    auto sc = telemetry::extract_span_context(headers);
    benchmark::DoNotOptimize(sc);
  }
  if (!telemetry::extract_span_context(headers))
    state.SkipWithError("extract_span_context produced no remote parent");
}

void extract_sdk(benchmark::State& state, Headers headers) {
  otel::trace::propagation::HttpTraceContext propagator;
  HeadersCarrier carrier(headers);
  for (auto _ : state) {
    otel::context::Context base;
    auto ctx = propagator.Extract(carrier, base);
    benchmark::DoNotOptimize(ctx);
  }
}

// A context holding a sampled remote span, as the job client has when it publishes.
otel::context::Context remote_parent_context() {
  Headers h{{"traceparent", kTraceparent}};
  return telemetry::extract(h, otel::context::Context{});
}

void inject_ours(benchmark::State& state, Headers base_headers) {
  quiet_logging();
  auto handle = our_tracing(true);
  const auto ctx = remote_parent_context();
  Headers h;
  for (auto _ : state) {
    h = base_headers;
    h.pop_back();  // drop the incoming traceparent; inject adds ours
    telemetry::inject(ctx, h);
    benchmark::DoNotOptimize(h);
  }
}

void inject_sdk(benchmark::State& state, Headers base_headers) {
  quiet_logging();
  auto handle = our_tracing(true);  // only to build the same context
  const auto ctx = remote_parent_context();
  otel::trace::propagation::HttpTraceContext propagator;
  Headers h;
  for (auto _ : state) {
    h = base_headers;
    h.pop_back();
    HeadersCarrier carrier(h);
    propagator.Inject(carrier, ctx);
    benchmark::DoNotOptimize(h);
  }
}

void BM_TraceparentParse_Ours(benchmark::State& state) {
  for (auto _ : state) {
    auto sc = telemetry::parse_traceparent(kTraceparent);
    benchmark::DoNotOptimize(sc);
  }
}

void BM_ExtractHttp_Ours(benchmark::State& s) {
  extract_ours(s, http_headers());
}
void BM_ExtractHttp_Sdk(benchmark::State& s) {
  extract_sdk(s, http_headers());
}
void BM_ExtractNats_Ours(benchmark::State& s) {
  extract_ours(s, nats_headers());
}
void BM_ExtractNats_Sdk(benchmark::State& s) {
  extract_sdk(s, nats_headers());
}
void BM_ExtractSpanContextHttp_Ours(benchmark::State& s) {
  extract_span_context_ours(s, http_headers());
}
void BM_ExtractSpanContextNats_Ours(benchmark::State& s) {
  extract_span_context_ours(s, nats_headers());
}
void BM_InjectHttp_Ours(benchmark::State& s) {
  inject_ours(s, http_headers());
}
void BM_InjectHttp_Sdk(benchmark::State& s) {
  inject_sdk(s, http_headers());
}
void BM_InjectNats_Ours(benchmark::State& s) {
  inject_ours(s, nats_headers());
}
void BM_InjectNats_Sdk(benchmark::State& s) {
  inject_sdk(s, nats_headers());
}

}  // namespace

BENCHMARK(BM_TraceparentParse_Ours);
BENCHMARK(BM_ExtractHttp_Ours);
BENCHMARK(BM_ExtractHttp_Sdk);
BENCHMARK(BM_ExtractNats_Ours);
BENCHMARK(BM_ExtractNats_Sdk);
BENCHMARK(BM_ExtractSpanContextHttp_Ours);
BENCHMARK(BM_ExtractSpanContextNats_Ours);
BENCHMARK(BM_InjectHttp_Ours);
BENCHMARK(BM_InjectHttp_Sdk);
BENCHMARK(BM_InjectNats_Ours);
BENCHMARK(BM_InjectNats_Sdk);

}  // namespace osapi::bench
