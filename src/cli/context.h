// What every command shares once its config is loaded: the config, output style, the
// tracing handle and the CLI root span.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <opentelemetry/nostd/shared_ptr.h>
#include <opentelemetry/trace/scope.h>
#include <opentelemetry/trace/span.h>

#include "cli/output.h"
#include "config/config.h"
#include "config/loader.h"
#include "telemetry/tracing.h"

namespace osapi::cli {

struct GlobalFlags {
  std::string file;
  bool file_given = false;
  bool debug = false;
  bool json = false;
  bool trace = false;  // client --trace
};

// Thrown inside command bodies to exit with a one-line error (caught in run()).
struct CommandError {
  std::string message;  // without "Error: "
  int code = 1;
};

class Context {
 public:
  // Loads and validates config for `command`; sets up logging and tracing for `service`.
  // `flags` are explicitly given CLI flags as key path → value. Throws CommandError.
  Context(const GlobalFlags& g, config::Command command, const std::string& service,
          const std::map<std::string, std::string>& flags, bool cli_tracing);
  ~Context();

  config::Config cfg;
  bool json = false;
  Style style;

  // CLI root span "osapi <path>" (client commands only); active while the command runs.
  void start_root_span(const std::string& command_path,
                       const std::map<std::string, std::string>& attributes);
  // Ends the root span (ERROR status when code != 0) and prints trace_id with --trace/--debug.
  void finish(int code, const std::string& error);

 private:
  GlobalFlags g_;
  std::unique_ptr<telemetry::TracingHandle> tracing_;
  opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> root_;
  std::unique_ptr<opentelemetry::trace::Scope> scope_;
  std::string trace_id_;
  bool finished_ = false;
};

}  // namespace osapi::cli
