// The standard OpenTelemetry environment variables (OTEL_*), layered over the osapi config.
//
// Precedence for each setting, highest first:
//   OSAPI_TELEMETRY_TRACING_* env  >  OTEL_* env  >  YAML file  >  built-in default
// i.e. the environment beats the file as everywhere in osapi, and the project's own variable
// beats the generic one. OTEL_SERVICE_NAME replaces the role's service.name (no osapi key).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"

namespace osapi::telemetry {

// Supported variables: OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER (otlp|console|none),
// OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_PROTOCOL
// (grpc|http/protobuf), OTEL_TRACES_SAMPLER ([parentbased_]always_on|always_off|traceidratio)
// and OTEL_TRACES_SAMPLER_ARG (ratio 0..1). Fails with the variable name on a bad value.
Status apply_otel_env(const std::map<std::string, std::string>& env, config::Tracing& tracing,
                      std::string& service_name);

// OTEL_EXPORTER_OTLP_HEADERS format: `k1=v1,k2=v2`, values percent-decoded, keys lowercased.
Result<std::map<std::string, std::string>> parse_otel_headers(std::string_view text);

}  // namespace osapi::telemetry
