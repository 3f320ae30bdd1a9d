#include "telemetry/span_exporters.h"

#include <unistd.h>

#include <string>
#include <utility>

#include <opentelemetry/sdk/trace/samplers/always_off.h>
#include <opentelemetry/sdk/trace/samplers/always_on.h>
#include <opentelemetry/sdk/trace/samplers/parent.h>
#include <opentelemetry/sdk/trace/samplers/trace_id_ratio.h>

#include "common/module.h"
#include "common/strings.h"
#include "telemetry/otlp_module.h"

namespace osapi::telemetry {

namespace otel = opentelemetry;

namespace {

using otel::sdk::common::ExportResult;

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

}  // namespace

std::unique_ptr<sdktrace::SpanExporter> bounded_exporter(
    std::unique_ptr<sdktrace::SpanExporter> inner, std::shared_ptr<std::atomic<bool>> abandoned) {
  return std::make_unique<BoundedExporter>(std::move(inner), std::move(abandoned));
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

}  // namespace osapi::telemetry
