// E2E harness: the real `osapi` binary as nats supervisor (`nats server start`), controller
// (`controller start`) and agent(s) (`agent start`), on free loopback ports, with a temp config
// and store dir.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace osapi::testing {

struct StackOptions {
  std::string exporter = "stdout";  // telemetry.tracing.exporter for every role
  bool tracing = true;
  std::string extra_yaml;  // appended at the end of the config
  std::vector<std::map<std::string, std::string>> agents = {{}};  // env per agent
  std::map<std::string, std::string> nats_env;  // env of `nats server start` (TMPDIR, …)
  std::map<std::string, std::string> api_env;   // env of `controller start`
};

class Stack {
 public:
  explicit Stack(StackOptions options = {});
  ~Stack();

  // Starts (or, once the previous one exited, starts again) the NATS supervisor.
  void start_nats();
  void start_api();  // the controller
  void start_agent(const std::map<std::string, std::string>& env = {});
  void start_all();
  void stop_all();

  // Runs `osapi -f <config> <args…>`.
  RunResult osapi(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {},
                  const std::string& stdin_data = "");
  // Raw HTTP against the API: returns status and body, headers in `headers_out`.
  RunResult curl(const std::vector<std::string>& args);

  std::string api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
  int api_port() const { return api_port_; }
  // The controller's metrics/health server (GET /metrics, /health, /health/ready).
  std::string controller_metrics_url() const {
    return "http://127.0.0.1:" + std::to_string(controller_metrics_port_);
  }
  int nats_port() const { return nats_port_; }
  const std::string& config_path() const { return config_; }
  // controller.audit.spool_dir (inside the stack's temp dir; created by the controller).
  std::string spool_dir() const { return dir_.file("audit-spool"); }
  const std::string& signing_key() const { return key_; }
  std::string token(const std::string& roles = "admin");
  TempDir& dir() { return dir_; }

  Process* nats() { return nats_.get(); }
  Process* api() { return api_.get(); }  // the controller
  Process* agent(size_t i = 0) { return i < agents_.size() ? agents_[i].get() : nullptr; }

 private:
  void write_config(const std::string& bearer);

  StackOptions opts_;
  TempDir dir_;
  int nats_port_ = 0, api_port_ = 0, controller_metrics_port_ = 0;
  std::string key_, config_;
  std::unique_ptr<Process> nats_, api_;
  std::vector<std::unique_ptr<Process>> agents_;
};

// Every span in the OTLP-JSON lines of a text (one ExportTraceServiceRequest per line).
struct SpanRecord {
  std::string trace_id, span_id, parent_span_id, name, service;
  int kind = 0;
  std::map<std::string, std::string> attributes;  // values as text
};
std::vector<SpanRecord> parse_spans(const std::string& text);

}  // namespace osapi::testing
