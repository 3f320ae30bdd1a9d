// Built only into libosapi_otlp.so (see otlp_module.h).
#include "telemetry/otlp_module.h"

#include <opentelemetry/exporters/otlp/otlp_grpc_exporter_factory.h>
#include <opentelemetry/exporters/otlp/otlp_grpc_exporter_options.h>
#include <opentelemetry/exporters/otlp/otlp_http_exporter_factory.h>
#include <opentelemetry/exporters/otlp/otlp_http_exporter_options.h>

namespace osapi::telemetry {

namespace {

namespace otlp = opentelemetry::exporter::otlp;

std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> create(const OtlpSettings& s) {
  if (s.grpc) {
    otlp::OtlpGrpcExporterOptions o;
    o.endpoint = s.endpoint;
    o.use_ssl_credentials = s.tls;
    o.ssl_credentials_cacert_path = s.ca_file;
    o.timeout = s.timeout;
    o.metadata.clear();  // the SDK pre-fills it from OTEL_*; otel_env.h decides precedence
    for (const auto& [k, v] : s.headers) o.metadata.emplace(k, v);
    return otlp::OtlpGrpcExporterFactory::Create(o);
  }
  otlp::OtlpHttpExporterOptions o;
  o.url = s.endpoint;
  o.content_type = otlp::HttpRequestContentType::kBinary;
  o.console_debug = false;
  o.timeout = s.timeout;
  o.http_headers.clear();  // pre-filled from OTEL_* by the SDK, see above
  for (const auto& [k, v] : s.headers) o.http_headers.emplace(k, v);
  o.ssl_insecure_skip_verify = false;
  o.ssl_ca_cert_path = s.ca_file;
  o.ssl_client_cert_path = s.client_cert_file;
  o.ssl_client_key_path = s.client_key_file;
  return otlp::OtlpHttpExporterFactory::Create(o);
}

constexpr OtlpModuleApi kApi{kOtlpModuleAbi, &create};

}  // namespace

}  // namespace osapi::telemetry

extern "C" __attribute__((visibility("default"))) const osapi::telemetry::OtlpModuleApi*
osapi_otlp_module() {
  return &osapi::telemetry::kApi;
}
