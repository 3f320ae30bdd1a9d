// The OTLP exporter module (libosapi_otlp.so): the only code that links the OTLP exporters
// (gRPC, protobuf, libcurl). tracing.cpp validates the configuration, fills OtlpSettings and
// loads the module only when `telemetry.tracing.exporter: otlp` (common/module.h).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <opentelemetry/sdk/trace/exporter.h>

namespace osapi::telemetry {

struct OtlpSettings {
  bool grpc = true;      // false: http/protobuf
  std::string endpoint;  // scheme included; for HTTP the full /v1/traces URL
  bool tls = false;
  std::string ca_file;
  std::string client_cert_file;  // HTTP only
  std::string client_key_file;
  std::chrono::system_clock::duration timeout{};
  std::vector<std::pair<std::string, std::string>> headers;  // gRPC: lowercase metadata keys
};

struct OtlpModuleApi {
  int abi_version;
  std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> (*create)(const OtlpSettings&);
};

inline constexpr int kOtlpModuleAbi = 1;
inline constexpr const char* kOtlpModuleFile = "libosapi_otlp.so";
inline constexpr const char* kOtlpModuleSymbol = "osapi_otlp_module";

}  // namespace osapi::telemetry

extern "C" const osapi::telemetry::OtlpModuleApi* osapi_otlp_module();
