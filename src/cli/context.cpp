#include "cli/context.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>

#include "logging/logger.h"
#include "telemetry/propagation.h"

namespace osapi::cli {

namespace trace = opentelemetry::trace;

Context::Context(const GlobalFlags& g, config::Command command, const std::string& service,
                 const std::map<std::string, std::string>& flags, bool cli_tracing)
    : g_(g) {
  config::LoadOptions lo;
  lo.path = g.file;  // empty: OSAPI_OSAPIFILE, then the default path
  lo.env = config::environment_snapshot();
  lo.flags = flags;
  if (g.debug) lo.flags["debug"] = "true";
  auto loaded = config::load(lo);
  if (!loaded.ok()) throw CommandError{loaded.error().message};
  if (auto st = config::validate_for(*loaded, command); !st.ok())
    throw CommandError{st.error().message};
  cfg = loaded->config;
  json = g.json;
  style = Style::detect();

  logging::Options o;
  o.level = cfg.debug ? logging::Level::kDebug : logging::Level::kInfo;
  o.format = g.json ? logging::Format::kJson : logging::Format::kText;
  o.color = !g.json && ::isatty(STDERR_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  logging::init(o);
  if (!loaded->unknown_keys.empty()) {
    std::string keys;
    for (const auto& k : loaded->unknown_keys) keys += (keys.empty() ? "" : ",") + k;
    logging::warn("unknown config keys ignored", {{"keys", keys}, {"file", loaded->path}});
  }
  if (cfg.debug) logging::debug("effective config", {{"config", config::dump_masked(cfg)}});

  telemetry::TracingOptions to;
  to.service_name = service;
  to.tracing = cfg.telemetry.tracing;
  if (cli_tracing || g.trace) to.tracing.enabled = true;
  if (service == "osapi-cli") {
    to.stdout_exporter_stream = stderr;  // stdout stays parseable
    to.shutdown_deadline = std::chrono::seconds(2);
  }
  auto h = telemetry::init_tracing(to);
  if (!h.ok()) throw CommandError{h.error().message};
  tracing_ = std::move(*h);
}

Context::~Context() {
  if (!finished_) finish(0, "");
  tracing_.reset();  // flush with the deadline
}

void Context::start_root_span(const std::string& command_path,
                              const std::map<std::string, std::string>& attributes) {
  if (!telemetry::enabled()) return;
  trace::StartSpanOptions so;
  so.kind = trace::SpanKind::kInternal;
  // Join an outer trace given by TRACEPARENT/TRACESTATE.
  if (const char* tp = std::getenv("TRACEPARENT")) {
    const char* ts = std::getenv("TRACESTATE");
    auto ctx = telemetry::context_from_strings(tp, ts ? ts : "");
    if (trace::GetSpan(ctx)->GetContext().IsValid()) so.parent = ctx;
  }
  root_ = telemetry::tracer()->StartSpan("osapi " + command_path, so);
  root_->SetAttribute("cli.command", command_path);
  for (const auto& [k, v] : attributes) root_->SetAttribute(k, v);
  scope_ = std::make_unique<trace::Scope>(root_);
  trace_id_ = telemetry::current_trace_id();
}

void Context::finish(int code, const std::string& error) {
  if (finished_) return;
  finished_ = true;
  if (root_) {
    if (code != 0) telemetry::record_error(*root_, "cli.error", error.empty() ? "exit 1" : error);
    root_->End();
    scope_.reset();
  }
  if (!trace_id_.empty() && (g_.trace || cfg.debug)) {
    std::fprintf(stderr, "trace_id=%s\n", trace_id_.c_str());
    std::fflush(stderr);
  }
}

}  // namespace osapi::cli
