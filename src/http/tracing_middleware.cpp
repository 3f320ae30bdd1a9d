#include "http/tracing_middleware.h"

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/scope.h>
#include <opentelemetry/trace/span.h>
#include <opentelemetry/trace/span_startoptions.h>
#include <opentelemetry/trace/tracer.h>

#include "common/strings.h"
#include "telemetry/propagation.h"
#include "telemetry/tracing.h"

namespace osapi::http {

namespace otel = opentelemetry;

namespace {

// "host:port", "[::1]:port" or "host" → host and port (0 when absent or junk).
void split_host(std::string_view host_header, std::string& host, int& port) {
  port = 0;
  std::string_view h = host_header;
  std::string_view port_part;
  if (!h.empty() && h.front() == '[') {
    const auto close = h.find(']');
    if (close == std::string_view::npos) {
      host = std::string(h);
      return;
    }
    host = std::string(h.substr(1, close - 1));
    if (close + 1 < h.size() && h[close + 1] == ':') port_part = h.substr(close + 2);
  } else {
    const auto colon = h.rfind(':');
    if (colon != std::string_view::npos && h.find(':') == colon) {
      host = std::string(h.substr(0, colon));
      port_part = h.substr(colon + 1);
    } else {
      host = std::string(h);
    }
  }
  long long p = 0;
  if (!port_part.empty() && parse_int64(port_part, p) && p > 0 && p < 65536)
    port = static_cast<int>(p);
}

Response run_traced(Request& req, const Next& next) {
  otel::trace::StartSpanOptions options;
  options.kind = otel::trace::SpanKind::kServer;
  // Remote parent straight from the headers; otherwise the default parent (the current span).
  if (auto sc = telemetry::extract_span_context(req.headers)) options.parent = *sc;
  const std::string name = req.route.empty() ? req.method : req.method + " " + req.route;
  auto span = telemetry::tracer()->StartSpan(name, options);

  span->SetAttribute("http.request.method", req.method);
  span->SetAttribute("url.scheme", "http");
  span->SetAttribute("url.path", req.path);
  if (!req.raw_query.empty()) span->SetAttribute("url.query", req.raw_query);
  if (!req.route.empty()) span->SetAttribute("http.route", req.route);
  if (const auto* host = req.header("Host")) {
    std::string address;
    int port = 0;
    split_host(*host, address, port);
    if (!address.empty()) span->SetAttribute("server.address", address);
    if (port > 0) span->SetAttribute("server.port", port);
  }
  span->SetAttribute("client.address", client_ip(req));
  span->SetAttribute("network.peer.address", req.peer_address);
  span->SetAttribute("network.peer.port", static_cast<int>(req.peer_port));
  if (const auto* ua = req.header("User-Agent")) span->SetAttribute("user_agent.original", *ua);
  span->SetAttribute("network.protocol.version", "1.1");

  Response resp;
  {
    otel::trace::Scope scope(span);
    try {
      resp = next(req);
    } catch (...) {
      // The exception guard sits inside this middleware; this only covers a chain without it.
      span->SetAttribute("error.type", "500");
      span->SetStatus(otel::trace::StatusCode::kError);
      span->End();
      throw;
    }
  }
  span->SetAttribute("http.response.status_code", resp.status);
  if (resp.status >= 500) {
    span->SetAttribute("error.type", std::to_string(resp.status));
    span->SetStatus(otel::trace::StatusCode::kError);
  }
  span->End();
  return resp;
}

}  // namespace

Middleware tracing_middleware(RequestObserver observer) {
  return [observer = std::move(observer)](Request& req, const Next& next) {
    const auto start = std::chrono::steady_clock::now();
    Response resp = telemetry::enabled() ? run_traced(req, next) : next(req);
    if (observer) observer(req, resp, std::chrono::steady_clock::now() - start);
    return resp;
  };
}

void set_active_span_attribute(const std::string& key, const std::string& value) {
  if (!telemetry::enabled()) return;
  auto span = otel::trace::GetSpan(otel::context::RuntimeContext::GetCurrent());
  if (span && span->GetContext().IsValid()) span->SetAttribute(key, value);
}

}  // namespace osapi::http
