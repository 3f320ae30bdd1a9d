// Interop: the real binary (nats/api/agent + CLI) exports OTLP to an independent node receiver
// over gRPC and HTTP/protobuf, plaintext and TLS, with and without a required auth header.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "chain.h"
#include "receiver.h"
#include "stack.h"

using namespace osapi::testing;

namespace {

std::string grpc_endpoint(const OtlpReceiver& r, bool tls = false) {
  return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(r.grpc_port());
}

std::string http_endpoint(const OtlpReceiver& r, bool tls = false) {
  return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(r.http_port());
}

Stack otlp_stack(const std::string& yaml) {
  StackOptions o;
  o.exporter = "otlp";
  o.extra_yaml = yaml;
  return Stack(o);
}

// Runs `client node hostname --trace` and checks the whole chain arrives at `receiver`.
void run_and_expect_chain(Stack& stack, const OtlpReceiver& receiver, const std::string& protocol) {
  stack.start_all();
  auto r = stack.osapi({"client", "node", "hostname", "--trace"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string id = cli_trace_id(r.err);
  ASSERT_EQ(id.size(), 32u) << r.err;
  auto spans = receiver.wait_for([&](const auto& s) { return has_full_chain(s, id); });
  expect_full_chain(spans, id, protocol);
  EXPECT_EQ(receiver.rejected(), 0);
}

// Lines of `log` that report an export failure from the SDK.
int export_failure_lines(const std::string& log) {
  int n = 0;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line))
    if (line.find("opentelemetry sdk") != std::string::npos &&
        (line.find(" ERR ") != std::string::npos || line.find(" WRN ") != std::string::npos))
      ++n;
  return n;
}

}  // namespace

TEST(InteropOtlp, GrpcPlaintextCarriesTheWholeChain) {
  OtlpReceiver receiver;
  Stack stack = otlp_stack(otlp_yaml(grpc_endpoint(receiver)));
  run_and_expect_chain(stack, receiver, "grpc");
}

TEST(InteropOtlp, GrpcHostPortEndpointWithoutScheme) {
  OtlpReceiver receiver;
  Stack stack = otlp_stack(otlp_yaml("127.0.0.1:" + std::to_string(receiver.grpc_port())));
  run_and_expect_chain(stack, receiver, "grpc");
}

TEST(InteropOtlp, GrpcTlsWithCaFile) {
  TempDir certs;
  const TestCert cert = make_test_cert(certs);
  ReceiverOptions ro;
  ro.tls_cert = cert.cert;
  ro.tls_key = cert.key;
  OtlpReceiver receiver(ro);
  Stack stack =
      otlp_stack(otlp_yaml("127.0.0.1:" + std::to_string(receiver.grpc_port()),
                           "    otlp_insecure: false\n    otlp_ca_file: " + cert.cert + "\n"));
  run_and_expect_chain(stack, receiver, "grpc");
}

TEST(InteropOtlp, HttpProtobufPlaintext) {
  OtlpReceiver receiver;
  Stack stack =
      otlp_stack(otlp_yaml(http_endpoint(receiver), "    otlp_protocol: http/protobuf\n"));
  run_and_expect_chain(stack, receiver, "http");
}

TEST(InteropOtlp, HttpProtobufTlsWithCaFile) {
  TempDir certs;
  const TestCert cert = make_test_cert(certs);
  ReceiverOptions ro;
  ro.tls_cert = cert.cert;
  ro.tls_key = cert.key;
  OtlpReceiver receiver(ro);
  Stack stack = otlp_stack(
      otlp_yaml(http_endpoint(receiver, true) + "/v1/traces",
                "    otlp_protocol: http/protobuf\n    otlp_ca_file: " + cert.cert + "\n"));
  run_and_expect_chain(stack, receiver, "http");
}

TEST(InteropOtlp, HttpProtobufMutualTlsWithClientCertificate) {
  TempDir certs;
  const TestCert server = make_test_cert(certs);
  const TestCert client = make_test_cert(certs, "client");  // self-signed: its own CA
  ReceiverOptions ro;
  ro.tls_cert = server.cert;
  ro.tls_key = server.key;
  ro.client_ca = client.cert;
  OtlpReceiver receiver(ro);
  Stack stack =
      otlp_stack(otlp_yaml(http_endpoint(receiver, true),
                           "    otlp_protocol: http/protobuf\n    otlp_ca_file: " + server.cert +
                               "\n    otlp_client_cert_file: " + client.cert +
                               "\n    otlp_client_key_file: " + client.key + "\n"));
  run_and_expect_chain(stack, receiver, "http");
}

TEST(InteropOtlp, MutualTlsWithoutClientCertificateExportsNothing) {
  TempDir certs;
  const TestCert server = make_test_cert(certs);
  const TestCert client = make_test_cert(certs, "client");
  ReceiverOptions ro;
  ro.tls_cert = server.cert;
  ro.tls_key = server.key;
  ro.client_ca = client.cert;
  OtlpReceiver receiver(ro);
  Stack stack = otlp_stack(
      otlp_yaml(http_endpoint(receiver, true),
                "    otlp_protocol: http/protobuf\n    otlp_ca_file: " + server.cert + "\n"));
  stack.start_all();
  auto r = stack.osapi({"client", "node", "hostname"});
  EXPECT_EQ(r.code, 0) << r.err;  // requests keep working
  stack.stop_all();
  EXPECT_TRUE(receiver.spans().empty());
}

TEST(InteropOtlp, TlsWithoutTheCaIsRejectedAndRequestsStillWork) {
  TempDir certs;
  const TestCert cert = make_test_cert(certs);
  ReceiverOptions ro;
  ro.tls_cert = cert.cert;
  ro.tls_key = cert.key;
  OtlpReceiver receiver(ro);
  // No CA file: the self-signed certificate is not trusted by the system roots.
  Stack stack = otlp_stack(otlp_yaml(grpc_endpoint(receiver, true)));
  stack.start_all();
  auto r = stack.osapi({"client", "node", "hostname"});
  EXPECT_EQ(r.code, 0) << r.err;
  stack.stop_all();
  EXPECT_TRUE(receiver.spans().empty());
}

TEST(InteropOtlp, GrpcRequiredHeaderAccepted) {
  ReceiverOptions ro;
  ro.require_header = "authorization=Bearer s3cret";
  OtlpReceiver receiver(ro);
  Stack stack = otlp_stack(
      otlp_yaml(grpc_endpoint(receiver), "    otlp_headers: {authorization: \"Bearer s3cret\"}\n"));
  run_and_expect_chain(stack, receiver, "grpc");
}

TEST(InteropOtlp, HttpRequiredHeaderAccepted) {
  ReceiverOptions ro;
  ro.require_header = "authorization=Bearer s3cret";
  OtlpReceiver receiver(ro);
  Stack stack = otlp_stack(otlp_yaml(http_endpoint(receiver),
                                     "    otlp_protocol: http/protobuf\n"
                                     "    otlp_headers: {Authorization: \"Bearer s3cret\"}\n"));
  run_and_expect_chain(stack, receiver, "http");
}

// Without the header every export is refused: the API logs the failure once (not per batch),
// never logs the header value, and keeps answering.
void missing_header_case(const std::string& protocol_yaml, bool http) {
  ReceiverOptions ro;
  ro.require_header = "authorization=Bearer s3cret";
  OtlpReceiver receiver(ro);
  Stack stack = otlp_stack(
      otlp_yaml(http ? http_endpoint(receiver) : grpc_endpoint(receiver), protocol_yaml));
  stack.start_all();
  for (int i = 0; i < 4; ++i) {
    auto r = stack.osapi({"client", "node", "hostname"});
    ASSERT_EQ(r.code, 0) << r.err;
    // Let each request's spans go out in their own batch (schedule_delay 200ms).
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (receiver.rejected() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(receiver.rejected(), 3) << "the API and agent should have tried several batches";
  EXPECT_TRUE(receiver.spans().empty());
  auto after = stack.osapi({"client", "node", "hostname"});
  EXPECT_EQ(after.code, 0) << after.err;
  const std::string api_log = stack.api()->err();
  EXPECT_EQ(export_failure_lines(api_log), 1) << api_log;
  EXPECT_EQ(api_log.find("s3cret"), std::string::npos);
}

TEST(InteropOtlp, GrpcMissingHeaderLoggedOnceAndRequestsKeepWorking) {
  missing_header_case("", false);
}

TEST(InteropOtlp, HttpMissingHeaderLoggedOnceAndRequestsKeepWorking) {
  missing_header_case("    otlp_protocol: http/protobuf\n", true);
}

// The exporter is a module (common/module.h): a process exporting OTLP loads it, with gRPC.
TEST(InteropOtlp, ExportingProcessesLoadTheOtlpModule) {
  OtlpReceiver receiver;
  Stack stack = otlp_stack(otlp_yaml(grpc_endpoint(receiver)));
  run_and_expect_chain(stack, receiver, "grpc");
  for (Process* p : {stack.api(), stack.agent()}) {
    const std::string maps = read_file("/proc/" + std::to_string(p->pid()) + "/maps");
    EXPECT_NE(maps.find("libosapi_otlp.so"), std::string::npos) << "pid " << p->pid();
    EXPECT_NE(maps.find("libgrpc"), std::string::npos) << "pid " << p->pid();
  }
}
