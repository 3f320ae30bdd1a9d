// The process-wide tracer provider: set up from config, swapped atomically, shut down within a
// deadline; and the trace/span ids every log line inside a span carries.
#include "telemetry/tracing.h"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/sdk/resource/resource.h>
#include <opentelemetry/sdk/trace/batch_span_processor_factory.h>
#include <opentelemetry/sdk/trace/batch_span_processor_options.h>
#include <opentelemetry/sdk/trace/exporter.h>
#include <opentelemetry/sdk/trace/processor.h>
#include <opentelemetry/sdk/trace/tracer_provider.h>
#include <opentelemetry/sdk/trace/tracer_provider_factory.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/noop.h>
#include <opentelemetry/trace/provider.h>

#include "common/ids.h"
#include "common/version.h"
#include "config/loader.h"
#include "logging/logger.h"
#include "telemetry/otel_env.h"
#include "telemetry/sdk_log.h"
#include "telemetry/span_exporters.h"
#include "telemetry/stdout_exporter.h"
#include "telemetry/w3c_propagator.h"

namespace osapi::telemetry {

namespace {

// ---- process-wide state -------------------------------------------------------------------

struct State {
  std::atomic<bool> enabled{false};
  std::mutex mu;
  otel::nostd::shared_ptr<otel::trace::Tracer> tracer;  // guarded by mu
  uint64_t generation = 0;                              // guarded by mu
  // Bumped whenever `tracer` changes, so threads can cache it without the lock.
  std::atomic<uint64_t> tracer_version{1};
};

State& state() {
  static State* s = new State();  // never destroyed: used during static teardown
  return *s;
}

// ---- log correlation ----------------------------------------------------------------------

bool context_ids(char trace_id[32], char span_id[16]) {
  if (!state().enabled.load(std::memory_order_relaxed)) return false;
  const auto sc = otel::trace::GetSpan(otel::context::RuntimeContext::GetCurrent())->GetContext();
  if (!sc.IsValid()) return false;
  sc.trace_id().ToLowerBase16(otel::nostd::span<char, 32>(trace_id, 32));
  sc.span_id().ToLowerBase16(otel::nostd::span<char, 16>(span_id, 16));
  return true;
}

otel::sdk::resource::Resource make_resource(const TracingOptions& o) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  const std::string instance_id = uuid_v4();
  otel::sdk::resource::ResourceAttributes attrs;
  attrs.SetAttribute("service.name", otel::nostd::string_view(o.service_name));
  attrs.SetAttribute("service.version", otel::nostd::string_view(osapi::version()));
  attrs.SetAttribute("host.name", otel::nostd::string_view(host));
  attrs.SetAttribute("process.pid", static_cast<int64_t>(::getpid()));
  attrs.SetAttribute("service.instance.id", otel::nostd::string_view(instance_id));
  if (!o.service_namespace.empty())
    attrs.SetAttribute("service.namespace", otel::nostd::string_view(o.service_namespace));
  return otel::sdk::resource::Resource::Create(attrs);
}

void set_noop_provider() {
  otel::trace::Provider::SetTracerProvider(
      otel::nostd::shared_ptr<otel::trace::TracerProvider>(new otel::trace::NoopTracerProvider()));
}

// ---- handles ------------------------------------------------------------------------------

class DisabledHandle final : public TracingHandle {
 public:
  void flush() override {}
};

class SdkHandle final : public TracingHandle {
 public:
  SdkHandle(std::shared_ptr<sdktrace::TracerProvider> provider,
            std::shared_ptr<std::atomic<bool>> abandoned, std::chrono::milliseconds deadline,
            uint64_t generation)
      : provider_(std::move(provider)),
        abandoned_(std::move(abandoned)),
        deadline_(deadline),
        generation_(generation) {}

  void flush() override { provider_->ForceFlush(deadline_); }

  ~SdkHandle() override {
    {
      State& s = state();
      std::lock_guard<std::mutex> lk(s.mu);
      if (s.generation == generation_) {
        s.enabled = false;
        set_noop_provider();
        s.tracer = otel::trace::Provider::GetTracerProvider()->GetTracer("noop");
        s.tracer_version.fetch_add(1, std::memory_order_release);
      }
    }
    shutdown_bounded();
    report_dropped_spans(true);
  }

 private:
  // Flush then shut down within the deadline. Exports still running when it expires are
  // abandoned: the provider is left to a detached thread so exit is never held up.
  void shutdown_bounded() {
    const auto start = std::chrono::steady_clock::now();
    provider_->ForceFlush(std::chrono::duration_cast<std::chrono::microseconds>(deadline_));
    abandoned_->store(true, std::memory_order_release);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    auto remaining = deadline_ - std::chrono::duration_cast<std::chrono::milliseconds>(elapsed);
    if (remaining < std::chrono::milliseconds(100)) remaining = std::chrono::milliseconds(100);

    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    std::thread worker([provider = provider_, done] {
      provider->Shutdown();
      done->set_value();
    });
    if (finished.wait_for(remaining) == std::future_status::ready) {
      worker.join();
    } else {
      logging::warn("tracing shutdown deadline passed; abandoning unexported spans",
                    {{"deadline_ms", static_cast<long long>(deadline_.count())}});
      worker.detach();  // keeps its own reference to the provider
    }
    provider_.reset();
  }

  std::shared_ptr<sdktrace::TracerProvider> provider_;
  std::shared_ptr<std::atomic<bool>> abandoned_;
  std::chrono::milliseconds deadline_;
  uint64_t generation_;
};

}  // namespace

Result<std::unique_ptr<TracingHandle>> init_tracing(const TracingOptions& given) {
  install_sdk_log_handler();
  install_w3c_propagator();
  TracingOptions options = given;
  if (options.tracing.enabled) {
    if (Status st =
            apply_otel_env(config::environment_snapshot(), options.tracing, options.service_name);
        !st)
      return st.error();
  }
  const config::Tracing& t = options.tracing;
  State& s = state();

  if (!t.enabled) {
    std::lock_guard<std::mutex> lk(s.mu);
    ++s.generation;
    s.enabled = false;
    set_noop_provider();
    s.tracer = otel::trace::Provider::GetTracerProvider()->GetTracer(options.service_name);
    s.tracer_version.fetch_add(1, std::memory_order_release);
    logging::set_context_provider(nullptr);
    return std::unique_ptr<TracingHandle>(new DisabledHandle());
  }

  auto abandoned = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::unique_ptr<sdktrace::SpanProcessor>> processors;
  std::unique_ptr<sdktrace::SpanExporter> exporter;
  if (t.exporter.empty() || t.exporter == "none") {
    // No processor: spans still get ids for propagation and log correlation.
  } else if (t.exporter == "stdout") {
    exporter = std::make_unique<StdoutJsonExporter>(options.stdout_exporter_stream);
  } else if (t.exporter == "otlp") {
    auto e = make_otlp_exporter(t);
    if (!e) return e.error();
    exporter = std::move(e.value());
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      "unsupported tracing exporter: \"" + t.exporter + "\"");
  }
  auto sampler = make_sampler(t);
  if (!sampler) return sampler.error();

  if (exporter) {
    sdktrace::BatchSpanProcessorOptions bo;
    bo.max_queue_size = static_cast<size_t>(std::max<long long>(1, t.batch.max_queue_size));
    bo.max_export_batch_size = static_cast<size_t>(
        std::clamp<long long>(t.batch.max_export_batch_size, 1, t.batch.max_queue_size));
    bo.schedule_delay_millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.batch.schedule_delay);
    if (bo.schedule_delay_millis.count() <= 0)
      bo.schedule_delay_millis = std::chrono::milliseconds(1);
    processors.push_back(sdktrace::BatchSpanProcessorFactory::Create(
        bounded_exporter(std::move(exporter), abandoned), bo));
  }

  std::shared_ptr<sdktrace::TracerProvider> provider = sdktrace::TracerProviderFactory::Create(
      std::move(processors), make_resource(options), std::move(sampler.value()));

  uint64_t generation;
  {
    std::lock_guard<std::mutex> lk(s.mu);
    generation = ++s.generation;
    otel::trace::Provider::SetTracerProvider(otel::nostd::shared_ptr<otel::trace::TracerProvider>(
        std::shared_ptr<otel::trace::TracerProvider>(provider)));
    s.tracer = provider->GetTracer(options.service_name, osapi::version());
    s.tracer_version.fetch_add(1, std::memory_order_release);
    s.enabled = true;
  }
  logging::set_context_provider(&context_ids);
  logging::debug("tracing enabled",
                 {{"service", options.service_name},
                  {"exporter", t.exporter.empty() ? std::string("none") : t.exporter},
                  {"sampler", t.sampler}});
  return std::unique_ptr<TracingHandle>(new SdkHandle(std::move(provider), std::move(abandoned),
                                                      options.shutdown_deadline, generation));
}

bool enabled() {
  return state().enabled.load(std::memory_order_relaxed);
}

const otel::nostd::shared_ptr<otel::trace::Tracer>& tracer() {
  // Per-thread copy, refreshed only when init/shutdown swapped the tracer: the hot path
  // (every span start) takes no lock and touches no shared reference count.
  thread_local uint64_t seen = 0;
  thread_local otel::nostd::shared_ptr<otel::trace::Tracer> cached;
  State& s = state();
  const uint64_t v = s.tracer_version.load(std::memory_order_acquire);
  if (seen != v || !cached) {
    std::lock_guard<std::mutex> lk(s.mu);
    if (!s.tracer) s.tracer = otel::trace::Provider::GetTracerProvider()->GetTracer("osapi");
    cached = s.tracer;
    seen = v;
  }
  return cached;
}

void record_error(otel::trace::Span& span, const std::string& type, const std::string& message) {
  span.SetStatus(otel::trace::StatusCode::kError, message);
  span.AddEvent("exception", {{"exception.type", otel::nostd::string_view(type)},
                              {"exception.message", otel::nostd::string_view(message)}});
}

std::string current_trace_id() {
  if (!enabled()) return "";
  const auto sc = otel::trace::GetSpan(otel::context::RuntimeContext::GetCurrent())->GetContext();
  if (!sc.IsValid()) return "";
  char buf[32];
  sc.trace_id().ToLowerBase16(otel::nostd::span<char, 32>(buf, 32));
  return std::string(buf, 32);
}

std::string current_span_id() {
  if (!enabled()) return "";
  const auto sc = otel::trace::GetSpan(otel::context::RuntimeContext::GetCurrent())->GetContext();
  if (!sc.IsValid()) return "";
  char buf[16];
  sc.span_id().ToLowerBase16(otel::nostd::span<char, 16>(buf, 16));
  return std::string(buf, 16);
}

uint64_t spans_dropped() {
  return dropped_spans_total();
}

}  // namespace osapi::telemetry
