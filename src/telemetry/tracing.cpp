// Tracer provider setup and log correlation.
#include "telemetry/tracing.h"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <opentelemetry/context/propagation/global_propagator.h>
#include <opentelemetry/context/propagation/text_map_propagator.h>
#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/sdk/common/global_log_handler.h>
#include <opentelemetry/sdk/resource/resource.h>
#include <opentelemetry/sdk/trace/batch_span_processor_factory.h>
#include <opentelemetry/sdk/trace/batch_span_processor_options.h>
#include <opentelemetry/sdk/trace/exporter.h>
#include <opentelemetry/sdk/trace/processor.h>
#include <opentelemetry/sdk/trace/samplers/always_off.h>
#include <opentelemetry/sdk/trace/samplers/always_on.h>
#include <opentelemetry/sdk/trace/samplers/parent.h>
#include <opentelemetry/sdk/trace/samplers/trace_id_ratio.h>
#include <opentelemetry/sdk/trace/tracer_provider.h>
#include <opentelemetry/sdk/trace/tracer_provider_factory.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/default_span.h>
#include <opentelemetry/trace/noop.h>
#include <opentelemetry/trace/provider.h>

#include "common/ids.h"
#include "common/module.h"
#include "common/strings.h"
#include "common/version.h"
#include "logging/logger.h"
#include "config/loader.h"
#include "telemetry/otel_env.h"
#include "telemetry/otlp_module.h"
#include "telemetry/propagation.h"
#include "telemetry/stdout_exporter.h"

namespace osapi::telemetry {

namespace {

namespace sdktrace = otel::sdk::trace;
namespace internal_log = otel::sdk::common::internal_log;
using otel::sdk::common::ExportResult;

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

std::atomic<uint64_t> g_dropped_total{0};
std::atomic<uint64_t> g_dropped_unreported{0};
std::atomic<int64_t> g_last_drop_report_ns{0};  // steady clock; 0 = never reported
constexpr std::chrono::seconds kDropReportInterval{60};

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void report_drops(bool force) {
  if (g_dropped_unreported.load(std::memory_order_relaxed) == 0) return;
  const int64_t now = steady_ns();
  int64_t last = g_last_drop_report_ns.load(std::memory_order_relaxed);
  if (!force && last != 0 && now - last < std::chrono::nanoseconds(kDropReportInterval).count())
    return;
  if (!g_last_drop_report_ns.compare_exchange_strong(last, now)) return;  // another thread won
  const uint64_t n = g_dropped_unreported.exchange(0);
  if (n == 0) return;
  logging::warn("tracing spans dropped (batch queue full)",
                {{"dropped", static_cast<unsigned long long>(n)},
                 {"total", static_cast<unsigned long long>(g_dropped_total.load())}});
}

// ---- SDK internal log → our logger (trap 9) ------------------------------------------------

bool is_drop_message(std::string_view m) {
  return m.find("dropping span") != std::string_view::npos ||
         m.find("queue is full") != std::string_view::npos;
}

class SdkLogHandler final : public internal_log::LogHandler {
 public:
  void Handle(internal_log::LogLevel level, const char* /*file*/, int /*line*/, const char* msg,
              const otel::sdk::common::AttributeMap& /*attributes*/) noexcept override {
    try {
      const std::string_view m = msg != nullptr ? msg : "";
      if (is_drop_message(m)) {
        g_dropped_total.fetch_add(1, std::memory_order_relaxed);
        g_dropped_unreported.fetch_add(1, std::memory_order_relaxed);
        report_drops(false);
        return;
      }
      logging::Level lvl = logging::Level::kDebug;
      if (level == internal_log::LogLevel::Error) lvl = logging::Level::kError;
      if (level == internal_log::LogLevel::Warning) lvl = logging::Level::kWarn;
      if (!logging::enabled(lvl)) return;
      if (lvl >= logging::Level::kWarn && suppressed(m)) return;
      logging::log(lvl, "opentelemetry sdk", {{"message", m}});
    } catch (...) {
    }
  }

 private:
  // Repeats of a recent warning/error (e.g. "export failed" every batch while the collector is
  // down) are logged at most once a minute. Every export failure shares one key: the HTTP
  // exporter reports one failure in two messages (client, then exporter).
  bool suppressed(std::string_view m) {
    const int64_t now = steady_ns();
    const bool export_failure =
        m.find("Export") != std::string_view::npos &&
        (m.find("failed") != std::string_view::npos || m.find("error") != std::string_view::npos ||
         m.find("ERROR") != std::string_view::npos);
    const std::string key =
        export_failure ? std::string("export failure") : std::string(m.substr(0, 96));
    std::lock_guard<std::mutex> lk(mu_);
    for (auto& [k, t] : recent_) {
      if (k != key) continue;
      if (now - t < std::chrono::nanoseconds(kDropReportInterval).count()) return true;
      t = now;
      return false;
    }
    if (recent_.size() >= 32) recent_.erase(recent_.begin());
    recent_.emplace_back(key, now);
    return false;
  }

  std::mutex mu_;
  std::vector<std::pair<std::string, int64_t>> recent_;
};

void install_sdk_log_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    internal_log::GlobalLogHandler::SetLogHandler(
        otel::nostd::shared_ptr<internal_log::LogHandler>(new SdkLogHandler()));
  });
  internal_log::GlobalLogHandler::SetLogLevel(logging::enabled(logging::Level::kDebug)
                                                  ? internal_log::LogLevel::Debug
                                                  : internal_log::LogLevel::Warning);
}

// ---- W3C propagator for the SDK global (same strict parser as inject/extract) ---------------

class W3CPropagator final : public otel::context::propagation::TextMapPropagator {
 public:
  otel::context::Context Extract(const otel::context::propagation::TextMapCarrier& carrier,
                                 otel::context::Context& context) noexcept override {
    const auto tp = carrier.Get("traceparent");
    const auto ts = carrier.Get("tracestate");
    auto sc = parse_traceparent(std::string_view(tp.data(), tp.size()),
                                std::string_view(ts.data(), ts.size()));
    if (!sc) return context;
    otel::nostd::shared_ptr<otel::trace::Span> span(new otel::trace::DefaultSpan(*sc));
    return otel::trace::SetSpan(context, span);
  }

  void Inject(otel::context::propagation::TextMapCarrier& carrier,
              const otel::context::Context& context) noexcept override {
    const auto sc = otel::trace::GetSpan(context)->GetContext();
    if (!sc.IsValid()) return;
    carrier.Set("traceparent", format_traceparent(sc));
    const std::string ts = format_tracestate(sc);
    if (!ts.empty()) carrier.Set("tracestate", ts);
  }

  bool Fields(
      otel::nostd::function_ref<bool(otel::nostd::string_view)> callback) const noexcept override {
    return callback("traceparent") && callback("tracestate");
  }
};

void install_propagator() {
  otel::context::propagation::GlobalTextMapPropagator::SetGlobalPropagator(
      otel::nostd::shared_ptr<otel::context::propagation::TextMapPropagator>(new W3CPropagator()));
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

// ---- exporters ----------------------------------------------------------------------------

// Forwards to the real exporter until shutdown is abandoned; then every export fails fast so a
// draining batch processor cannot hold process exit past the deadline.
class BoundedExporter final : public sdktrace::SpanExporter {
 public:
  BoundedExporter(std::unique_ptr<sdktrace::SpanExporter> inner,
                  std::shared_ptr<std::atomic<bool>> abandoned)
      : inner_(std::move(inner)), abandoned_(std::move(abandoned)) {}

  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return inner_->MakeRecordable();
  }
  ExportResult Export(
      const otel::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept override {
    if (abandoned_->load(std::memory_order_acquire)) return ExportResult::kFailure;
    return inner_->Export(spans);
  }
  bool ForceFlush(std::chrono::microseconds timeout) noexcept override {
    return inner_->ForceFlush(timeout);
  }
  bool Shutdown(std::chrono::microseconds timeout) noexcept override {
    return inner_->Shutdown(timeout);
  }

 private:
  std::unique_ptr<sdktrace::SpanExporter> inner_;
  std::shared_ptr<std::atomic<bool>> abandoned_;
};

bool readable(const std::string& path) {
  return ::access(path.c_str(), R_OK) == 0;
}

Status check_files(const config::Tracing& t) {
  const std::pair<const char*, const std::string*> files[] = {
      {"otlp_ca_file", &t.otlp_ca_file},
      {"otlp_client_cert_file", &t.otlp_client_cert_file},
      {"otlp_client_key_file", &t.otlp_client_key_file}};
  for (const auto& [key, path] : files) {
    if (!path->empty() && !readable(*path))
      return make_error(ErrorCode::kInvalidArgument,
                        std::string("telemetry.tracing.") + key + ": cannot read " + *path);
  }
  if (t.otlp_client_cert_file.empty() != t.otlp_client_key_file.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "telemetry.tracing: otlp_client_cert_file and otlp_client_key_file must be "
                      "set together");
  return Status::Ok();
}

std::chrono::system_clock::duration export_timeout(const config::Tracing& t) {
  return std::chrono::duration_cast<std::chrono::system_clock::duration>(t.batch.export_timeout);
}

// The exporter itself lives in the OTLP module, loaded on first use (common/module.h).
Result<std::unique_ptr<sdktrace::SpanExporter>> create_otlp(const OtlpSettings& o) {
  auto sym = module_symbol(kOtlpModuleFile, kOtlpModuleSymbol);
  if (!sym.ok()) return sym.error().wrap("telemetry.tracing: the otlp exporter is unavailable");
  const auto* api = reinterpret_cast<decltype(&osapi_otlp_module)>(*sym)();
  if (api == nullptr || api->abi_version != kOtlpModuleAbi)
    return make_error(ErrorCode::kInternal, std::string("telemetry.tracing: ") + kOtlpModuleFile +
                                                " does not match this osapi binary");
  auto exporter = api->create(o);
  if (!exporter) return make_error(ErrorCode::kInternal, "telemetry.tracing: otlp exporter failed");
  return exporter;
}

Result<std::unique_ptr<sdktrace::SpanExporter>> make_otlp_exporter(const config::Tracing& t) {
  if (t.otlp_endpoint.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "telemetry.tracing.otlp_endpoint is required for the otlp exporter");
  if (Status s = check_files(t); !s) return s.error();
  std::string endpoint = t.otlp_endpoint;
  const bool https = endpoint.starts_with("https://");
  const bool tls = https || !t.otlp_insecure;
  if (endpoint.find("://") == std::string::npos)
    endpoint = std::string(tls ? "https://" : "http://") + endpoint;

  if (t.otlp_protocol.empty() || t.otlp_protocol == "grpc") {
    // Debian's 1.19 build lacks ENABLE_OTLP_GRPC_SSL_MTLS_PREVIEW: no client cert over gRPC.
    if (!t.otlp_client_cert_file.empty())
      return make_error(ErrorCode::kInvalidArgument,
                        "telemetry.tracing: otlp client certificates (mTLS) need otlp_protocol "
                        "http/protobuf; the gRPC exporter of this build does not support them");
    OtlpSettings o;
    o.grpc = true;
    o.endpoint = endpoint;
    o.tls = tls;
    o.ca_file = t.otlp_ca_file;
    o.timeout = export_timeout(t);
    for (const auto& [k, v] : t.otlp_headers) o.headers.emplace_back(to_lower(k), v);
    return create_otlp(o);
  }
  if (t.otlp_protocol == "http/protobuf") {
    if (tls && endpoint.starts_with("http://"))
      return make_error(ErrorCode::kInvalidArgument,
                        "telemetry.tracing: otlp_insecure is false but otlp_endpoint is not "
                        "https://");
    while (endpoint.size() > 8 && endpoint.back() == '/') endpoint.pop_back();
    if (!endpoint.ends_with("/v1/traces")) endpoint += "/v1/traces";
    OtlpSettings o;
    o.grpc = false;
    o.endpoint = endpoint;
    o.tls = tls;
    o.ca_file = t.otlp_ca_file;
    o.client_cert_file = t.otlp_client_cert_file;
    o.client_key_file = t.otlp_client_key_file;
    o.timeout = export_timeout(t);
    for (const auto& [k, v] : t.otlp_headers) o.headers.emplace_back(k, v);
    return create_otlp(o);
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unsupported tracing otlp_protocol: \"" + t.otlp_protocol + "\"");
}

Result<std::unique_ptr<sdktrace::Sampler>> make_sampler(const config::Tracing& t) {
  std::shared_ptr<sdktrace::Sampler> root;
  if (t.sampler.empty() || t.sampler == "always_on") {
    root = std::make_shared<sdktrace::AlwaysOnSampler>();
  } else if (t.sampler == "always_off") {
    root = std::make_shared<sdktrace::AlwaysOffSampler>();
  } else if (t.sampler == "traceidratio") {
    if (!(t.sampler_ratio >= 0.0 && t.sampler_ratio <= 1.0))
      return make_error(ErrorCode::kInvalidArgument,
                        "telemetry.tracing.sampler_ratio must be between 0 and 1");
    root = std::make_shared<sdktrace::TraceIdRatioBasedSampler>(t.sampler_ratio);
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      "unsupported tracing sampler: \"" + t.sampler + "\"");
  }
  return std::unique_ptr<sdktrace::Sampler>(new sdktrace::ParentBasedSampler(root));
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
    report_drops(true);
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
  install_propagator();
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
        std::make_unique<BoundedExporter>(std::move(exporter), abandoned), bo));
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
  return g_dropped_total.load(std::memory_order_relaxed);
}

}  // namespace osapi::telemetry
