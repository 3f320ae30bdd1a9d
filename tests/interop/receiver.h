// Test harness for the independent node OTLP receiver (otlp_receiver.js): starts it on free
// loopback ports and reads back the spans it received.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace osapi::testing {

struct ReceivedSpan {
  std::string protocol;  // grpc | http
  std::string service;   // resource service.name
  std::string trace_id, span_id, parent_span_id, trace_state, name;
  int kind = 0;  // OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  int status = 0;
  unsigned flags = 0;
  std::map<std::string, std::string> attributes;  // values as text
  std::map<std::string, std::string> resource;
};

struct ReceiverOptions {
  std::string tls_cert, tls_key;  // PEM files; both empty → plaintext
  std::string client_ca;          // PEM: require client certificates signed by it (mTLS)
  std::string require_header;     // "authorization=Bearer xyz": calls without it are rejected
};

class OtlpReceiver {
 public:
  explicit OtlpReceiver(ReceiverOptions options = {});
  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }
  std::vector<ReceivedSpan> spans() const;
  int rejected() const;  // calls refused for a missing/wrong header
  // Polls until `done(spans())` holds or `timeout` passes; returns the last spans read.
  std::vector<ReceivedSpan> wait_for(
      const std::function<bool(const std::vector<ReceivedSpan>&)>& done,
      std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  TempDir dir_;
  std::string out_;
  std::unique_ptr<Process> proc_;
  int grpc_port_ = 0, http_port_ = 0;
};

// A self-signed certificate for localhost / 127.0.0.1, made with openssl in `dir`.
struct TestCert {
  std::string cert, key;
};
TestCert make_test_cert(const TempDir& dir, const std::string& name = "receiver");

// Helpers over received spans.
const ReceivedSpan* find_span_by_id(const std::vector<ReceivedSpan>& spans, const std::string& id);
std::vector<ReceivedSpan> spans_of_trace(const std::vector<ReceivedSpan>& spans,
                                         const std::string& trace_id);
const ReceivedSpan* find_span_named(const std::vector<ReceivedSpan>& spans, const std::string& name,
                                    const std::string& trace_id = "");

// The `trace_id=<hex>` line the CLI prints last on stderr with --trace ("" when absent).
std::string cli_trace_id(const std::string& err);
// Number of log lines in `text` carrying trace_id=<id>.
int log_lines_with_trace(const std::string& text, const std::string& id);

}  // namespace osapi::testing
