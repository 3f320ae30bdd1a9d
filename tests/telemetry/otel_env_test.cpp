// OTEL_* environment variables over the osapi tracing config (telemetry/otel_env.h):
// OSAPI_TELEMETRY_TRACING_* env > OTEL_* env > YAML file > default.
#include "telemetry/otel_env.h"

#include <gtest/gtest.h>

using osapi::config::Tracing;
using osapi::telemetry::apply_otel_env;
using osapi::telemetry::parse_otel_headers;

namespace {

struct Applied {
  Tracing tracing;
  std::string service = "osapi-api";
  bool ok = false;
  std::string error;
};

Applied apply(const std::map<std::string, std::string>& env, Tracing from_file = {}) {
  Applied a;
  a.tracing = std::move(from_file);
  auto st = apply_otel_env(env, a.tracing, a.service);
  a.ok = st.ok();
  if (!st.ok()) a.error = st.error().message;
  return a;
}

}  // namespace

TEST(OtelEnv, NoVariablesLeaveTheConfigAlone) {
  Tracing file;
  file.otlp_endpoint = "collector:4317";
  file.sampler = "always_off";
  auto a = apply({{"PATH", "/bin"}}, file);
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.tracing.otlp_endpoint, "collector:4317");
  EXPECT_EQ(a.tracing.sampler, "always_off");
  EXPECT_EQ(a.service, "osapi-api");
}

TEST(OtelEnv, OtelVariablesOverrideFileAndDefaults) {
  Tracing file;
  file.otlp_endpoint = "from-yaml:4317";
  file.otlp_headers = {{"Authorization", "Bearer yaml"}, {"x-team", "a"}};
  auto a = apply({{"OTEL_SERVICE_NAME", "checkout"},
                  {"OTEL_TRACES_EXPORTER", "otlp"},
                  {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://from-env:4318"},
                  {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
                  {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20env , x-extra=1"},
                  {"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
                  {"OTEL_TRACES_SAMPLER_ARG", "0.25"}},
                 file);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.service, "checkout");
  EXPECT_EQ(a.tracing.exporter, "otlp");
  EXPECT_EQ(a.tracing.otlp_endpoint, "http://from-env:4318");
  EXPECT_EQ(a.tracing.otlp_protocol, "http/protobuf");
  const std::map<std::string, std::string> headers{
      {"authorization", "Bearer env"}, {"x-extra", "1"}, {"x-team", "a"}};
  EXPECT_EQ(a.tracing.otlp_headers, headers);
  EXPECT_EQ(a.tracing.sampler, "traceidratio");
  EXPECT_DOUBLE_EQ(a.tracing.sampler_ratio, 0.25);
}

TEST(OtelEnv, OsapiVariablesWinOverOtelVariables) {
  Tracing effective;  // the loader already applied the OSAPI_* values
  effective.otlp_endpoint = "osapi-env:4317";
  effective.sampler = "always_on";
  effective.otlp_headers = {{"authorization", "Bearer osapi"}};
  auto a = apply({{"OSAPI_TELEMETRY_TRACING_OTLP_ENDPOINT", "osapi-env:4317"},
                  {"OSAPI_TELEMETRY_TRACING_SAMPLER", "always_on"},
                  {"OSAPI_TELEMETRY_TRACING_OTLP_HEADERS", "authorization=Bearer osapi"},
                  {"OTEL_EXPORTER_OTLP_ENDPOINT", "otel:4317"},
                  {"OTEL_TRACES_SAMPLER", "always_off"},
                  {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer otel"}},
                 effective);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.tracing.otlp_endpoint, "osapi-env:4317");
  EXPECT_EQ(a.tracing.sampler, "always_on");
  EXPECT_EQ(a.tracing.otlp_headers.at("authorization"), "Bearer osapi");
}

TEST(OtelEnv, ConsoleExporterMeansStdoutAndBlankValuesAreUnset) {
  auto a = apply({{"OTEL_TRACES_EXPORTER", "console"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "  "}});
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.tracing.exporter, "stdout");
  EXPECT_EQ(a.tracing.otlp_endpoint, "");
}

TEST(OtelEnv, SamplerArgOnlyAppliesToTheRatioSampler) {
  auto a = apply({{"OTEL_TRACES_SAMPLER", "always_off"}, {"OTEL_TRACES_SAMPLER_ARG", "0.5"}});
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.tracing.sampler, "always_off");
  EXPECT_DOUBLE_EQ(a.tracing.sampler_ratio, 1.0);
}

TEST(OtelEnv, BadValuesNameTheVariable) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"OTEL_TRACES_SAMPLER", "jaeger_remote"}, {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
      {"OTEL_TRACES_EXPORTER", "zipkin"},       {"OTEL_EXPORTER_OTLP_HEADERS", "novalue"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "a=%zz"},  {"OTEL_EXPORTER_OTLP_HEADERS", "a=%4"},
  };
  for (const auto& [var, value] : bad) {
    auto a = apply({{var, value}});
    EXPECT_FALSE(a.ok) << var << "=" << value;
    EXPECT_NE(a.error.find(var), std::string::npos) << a.error;
  }
  for (const std::string arg : {"2", "-0.1", "half", "0.5x"}) {
    auto a = apply({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", arg}});
    EXPECT_FALSE(a.ok) << arg;
    EXPECT_NE(a.error.find("OTEL_TRACES_SAMPLER_ARG"), std::string::npos) << a.error;
  }
}

TEST(OtelEnv, HeaderListParsing) {
  auto h = parse_otel_headers("Api-Key=a%3Db%2Cc, ,x=");
  ASSERT_TRUE(h.ok());
  const std::map<std::string, std::string> want{{"api-key", "a=b,c"}, {"x", ""}};
  EXPECT_EQ(*h, want);
}
