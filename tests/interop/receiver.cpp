#include "receiver.h"

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace osapi::testing {

namespace {

std::string receiver_script() {
  return std::string(OSAPI_SOURCE_DIR) + "/tests/interop/otlp_receiver.js";
}

std::map<std::string, std::string> string_map(const nlohmann::json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

}  // namespace

OtlpReceiver::OtlpReceiver(ReceiverOptions options) {
  out_ = dir_.file("spans.jsonl");
  dir_.write("spans.jsonl", "");
  std::vector<std::string> argv{"node", receiver_script(), "--out", out_};
  if (!options.tls_cert.empty()) {
    argv.insert(argv.end(), {"--tls-cert", options.tls_cert, "--tls-key", options.tls_key});
    if (!options.client_ca.empty()) argv.insert(argv.end(), {"--client-ca", options.client_ca});
  }
  if (!options.require_header.empty())
    argv.insert(argv.end(), {"--require-header", options.require_header});
  proc_ = std::make_unique<Process>(argv);
  if (!proc_->wait_output("otlp receiver ready", std::chrono::seconds(30)))
    throw std::runtime_error(
        "otlp receiver did not start (is tests/interop/node_modules installed? scripts/setup "
        "runs npm ci): " +
        proc_->err());
  std::smatch m;
  const std::string out = proc_->out();
  if (!std::regex_search(out, m, std::regex("grpc=(\\d+) http=(\\d+)")))
    throw std::runtime_error("otlp receiver: no ports in " + out);
  grpc_port_ = std::stoi(m[1]);
  http_port_ = std::stoi(m[2]);
}

std::vector<ReceivedSpan> OtlpReceiver::spans() const {
  std::vector<ReceivedSpan> out;
  std::istringstream in(read_file(out_));
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || j.value("event", "") != "span") continue;
    ReceivedSpan s;
    s.protocol = j.value("protocol", "");
    s.service = j.value("service", "");
    s.trace_id = j.value("traceId", "");
    s.span_id = j.value("spanId", "");
    s.parent_span_id = j.value("parentSpanId", "");
    s.trace_state = j.value("traceState", "");
    s.name = j.value("name", "");
    s.kind = j.value("kind", 0);
    s.status = j.value("status", 0);
    s.flags = j.value("flags", 0u);
    s.attributes = string_map(j["attributes"]);
    s.resource = string_map(j["resource"]);
    out.push_back(std::move(s));
  }
  return out;
}

int OtlpReceiver::rejected() const {
  int n = 0;
  std::istringstream in(read_file(out_));
  std::string line;
  while (std::getline(in, line))
    if (line.find("\"event\":\"rejected\"") != std::string::npos) ++n;
  return n;
}

std::vector<ReceivedSpan> OtlpReceiver::wait_for(
    const std::function<bool(const std::vector<ReceivedSpan>&)>& done,
    std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto got = spans();
  while (!done(got) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    got = spans();
  }
  return got;
}

TestCert make_test_cert(const TempDir& dir, const std::string& name) {
  TestCert c{dir.file(name + ".crt"), dir.file(name + ".key")};
  auto r = run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                c.key, "-out", c.cert});
  if (r.code != 0) throw std::runtime_error("openssl failed: " + r.err);
  return c;
}

const ReceivedSpan* find_span_by_id(const std::vector<ReceivedSpan>& spans, const std::string& id) {
  for (const auto& s : spans)
    if (!id.empty() && s.span_id == id) return &s;
  return nullptr;
}

std::vector<ReceivedSpan> spans_of_trace(const std::vector<ReceivedSpan>& spans,
                                         const std::string& trace_id) {
  std::vector<ReceivedSpan> out;
  for (const auto& s : spans)
    if (s.trace_id == trace_id) out.push_back(s);
  return out;
}

const ReceivedSpan* find_span_named(const std::vector<ReceivedSpan>& spans, const std::string& name,
                                    const std::string& trace_id) {
  for (const auto& s : spans)
    if (s.name == name && (trace_id.empty() || s.trace_id == trace_id)) return &s;
  return nullptr;
}

std::string cli_trace_id(const std::string& err) {
  std::smatch m;
  std::string last;
  static const std::regex re("(^|\n)trace_id=([0-9a-f]{32})(\n|$)");
  for (auto it = err.cbegin(); std::regex_search(it, err.cend(), m, re); it = m[2].second)
    last = m[2];
  return last;
}

int log_lines_with_trace(const std::string& text, const std::string& id) {
  int n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.find(" trace_id=" + id + " span_id=") != std::string::npos) ++n;
  return n;
}

}  // namespace osapi::testing
