// Standard OTEL_* variables on the real binary, checked at the independent receiver.
// Precedence: OSAPI_TELEMETRY_TRACING_* env > OTEL_* env > YAML file > default.
// The CLI exports its root and client spans even when the API is down, so no stack runs here.
#include <gtest/gtest.h>

#include <thread>

#include "chain.h"
#include "receiver.h"
#include "stack.h"

using namespace osapi::testing;

namespace {

std::string grpc_of(const OtlpReceiver& r) {
  return "http://127.0.0.1:" + std::to_string(r.grpc_port());
}

Stack cli_stack(const std::string& exporter, const std::string& yaml) {
  StackOptions o;
  o.exporter = exporter;
  o.extra_yaml = yaml;
  return Stack(o);
}

// Runs the CLI (the API is not running: exit 1) and returns its trace id.
std::string run_cli(Stack& stack, const std::map<std::string, std::string>& env) {
  auto r = stack.osapi({"client", "node", "hostname", "--trace"}, env);
  EXPECT_EQ(r.code, 1) << r.err;
  return cli_trace_id(r.err);
}

const ReceivedSpan* wait_root(const OtlpReceiver& r, const std::string& id) {
  static std::vector<ReceivedSpan> spans;
  spans = r.wait_for(
      [&](const auto& s) { return find_span_named(s, "osapi client node hostname get", id); },
      std::chrono::seconds(10));
  return find_span_named(spans, "osapi client node hostname get", id);
}

}  // namespace

TEST(InteropOtelEnv, OtelVariablesBeatTheFileAndOsapiVariablesBeatOtel) {
  OtlpReceiver from_file, from_otel, from_osapi;
  Stack stack = cli_stack("otlp", otlp_yaml(grpc_of(from_file)));

  const std::string a = run_cli(stack, {});
  const ReceivedSpan* root = wait_root(from_file, a);
  ASSERT_NE(root, nullptr) << "YAML endpoint";
  EXPECT_EQ(root->service, "osapi-cli");

  const std::string b = run_cli(stack, {{"OTEL_EXPORTER_OTLP_ENDPOINT", grpc_of(from_otel)},
                                        {"OTEL_SERVICE_NAME", "checkout-cli"}});
  root = wait_root(from_otel, b);
  ASSERT_NE(root, nullptr) << "OTEL_EXPORTER_OTLP_ENDPOINT beats the file";
  EXPECT_EQ(root->service, "checkout-cli");

  const std::string c =
      run_cli(stack, {{"OTEL_EXPORTER_OTLP_ENDPOINT", grpc_of(from_otel)},
                      {"OSAPI_TELEMETRY_TRACING_OTLP_ENDPOINT", grpc_of(from_osapi)}});
  ASSERT_NE(wait_root(from_osapi, c), nullptr) << "OSAPI_* beats OTEL_*";
  EXPECT_TRUE(spans_of_trace(from_otel.spans(), c).empty());
  EXPECT_TRUE(spans_of_trace(from_file.spans(), b).empty());
}

TEST(InteropOtelEnv, ProtocolHeadersAndExporterFromOtelVariables) {
  ReceiverOptions ro;
  ro.require_header = "authorization=Bearer from-env";
  OtlpReceiver receiver(ro);
  // The file picks no exporter and no endpoint: the OTEL_* variables supply everything.
  Stack stack = cli_stack("", "");
  const std::string id = run_cli(
      stack,
      {{"OTEL_TRACES_EXPORTER", "otlp"},
       {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
       {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(receiver.http_port())},
       {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20from-env"}});
  const ReceivedSpan* root = wait_root(receiver, id);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->protocol, "http");
  EXPECT_EQ(receiver.rejected(), 0);
}

// exporter otlp from osapi's own config, endpoint only from OTEL_*: validation accepts it.
TEST(InteropOtelEnv, OtlpExporterFromOsapiWithEndpointOnlyFromOtel) {
  OtlpReceiver receiver;
  Stack stack = cli_stack("", "");
  const std::string id = run_cli(stack, {{"OSAPI_TELEMETRY_TRACING_EXPORTER", "otlp"},
                                         {"OTEL_EXPORTER_OTLP_ENDPOINT", grpc_of(receiver)}});
  EXPECT_NE(wait_root(receiver, id), nullptr);
}

TEST(InteropOtelEnv, OtelSamplerAlwaysOffExportsNothing) {
  OtlpReceiver receiver;
  Stack stack = cli_stack("otlp", otlp_yaml(grpc_of(receiver)));
  const std::string id = run_cli(stack, {{"OTEL_TRACES_SAMPLER", "parentbased_always_off"}});
  EXPECT_EQ(id.size(), 32u) << "ids stay valid for log correlation";
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the CLI flushed before exiting
  EXPECT_TRUE(receiver.spans().empty());
}

TEST(InteropOtelEnv, BadOtelValueStopsTheCommandWithItsName) {
  Stack stack = cli_stack("otlp", otlp_yaml("127.0.0.1:4317"));
  auto r = stack.osapi({"client", "node", "hostname"}, {{"OTEL_TRACES_SAMPLER", "bogus"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("OTEL_TRACES_SAMPLER"), std::string::npos) << r.err;
}
