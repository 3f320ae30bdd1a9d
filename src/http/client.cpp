#include "http/client.h"

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/scope.h>
#include <opentelemetry/trace/span.h>
#include <opentelemetry/trace/span_startoptions.h>
#include <opentelemetry/trace/tracer.h>

#include "common/module.h"
#include "common/strings.h"
#include "http/curl_transport.h"
#include "common/time.h"
#include "logging/logger.h"
#include "telemetry/propagation.h"
#include "telemetry/tracing.h"

namespace osapi::http {

namespace otel = opentelemetry;

namespace {

struct Transport {
  const CurlTransportApi* api = nullptr;
  std::string error;  // why the module is unavailable
};

// Loaded on the first request, once per process.
const Transport& transport() {
  static const Transport t = [] {
    Transport out;
    auto sym = module_symbol(kCurlModuleFile, kCurlModuleSymbol);
    if (!sym.ok()) {
      out.error = sym.error().message;
      return out;
    }
    const auto* api = reinterpret_cast<decltype(&osapi_curl_transport)>(*sym)();
    if (api == nullptr || api->abi_version != kCurlTransportAbi)
      out.error = std::string(kCurlModuleFile) + " does not match this osapi binary";
    else
      out.api = api;
    return out;
  }();
  return t;
}

}  // namespace

Result<ClientResponse> request(const ClientRequest& req) {
  const Transport& t = transport();
  if (t.api == nullptr)
    return Error(ErrorCode::kUnavailable, "HTTP client unavailable: " + t.error);
  std::string error_type;
  auto perform = [&](const Headers& headers) { return t.api->perform(req, headers, error_type); };
  const auto started = std::chrono::steady_clock::now();
  // One debug line per request, written while the client span is active (log correlation).
  auto log_done = [&](const Result<ClientResponse>& r) {
    if (!logging::enabled(logging::Level::kDebug)) return;
    const auto took = std::chrono::steady_clock::now() - started;
    const std::string url = t.api->parse_url(req.url).full;
    if (r.ok())
      logging::debug("http request", {{"method", req.method},
                                      {"url", url},
                                      {"status", r->status},
                                      {"latency", format_go_duration(took)}});
    else
      logging::debug("http request failed",
                     {{"method", req.method}, {"url", url}, {"error", r.error().message}});
  };
  if (!telemetry::enabled()) {
    auto result = perform(req.headers);
    log_done(result);
    return result;
  }

  const UrlParts url = t.api->parse_url(req.url);
  otel::trace::StartSpanOptions options;
  options.kind = otel::trace::SpanKind::kClient;
  auto span = telemetry::tracer()->StartSpan(req.method, options);
  span->SetAttribute("http.request.method", req.method);
  if (!url.host.empty()) span->SetAttribute("server.address", url.host);
  if (url.port > 0) span->SetAttribute("server.port", url.port);
  span->SetAttribute("url.full", url.full);
  span->SetAttribute("network.protocol.version", "1.1");

  Headers headers = req.headers;
  // Replace any caller-supplied trace headers with this span's context.
  std::erase_if(headers, [](const auto& h) {
    return iequals(h.first, "traceparent") || iequals(h.first, "tracestate");
  });
  otel::context::Context current = otel::context::RuntimeContext::GetCurrent();
  auto ctx = otel::trace::SetSpan(current, span);
  telemetry::inject(ctx, headers);

  otel::trace::Scope scope(span);
  auto result = perform(headers);
  log_done(result);
  if (!result.ok()) {
    span->SetAttribute("error.type", error_type);
    telemetry::record_error(*span, error_type, result.error().message);
  } else {
    span->SetAttribute("http.response.status_code", result->status);
    if (result->status >= 400) {
      span->SetAttribute("error.type", std::to_string(result->status));
      span->SetStatus(otel::trace::StatusCode::kError);
    }
  }
  span->End();
  return result;
}

}  // namespace osapi::http
