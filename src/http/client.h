// Blocking HTTP client over libcurl (easy API), one reusable handle per thread (keep-alive).
// When tracing is enabled each request gets a CLIENT span, child of the
// span active on the calling thread, and traceparent/tracestate are injected from it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/headers.h"
#include "common/result.h"

namespace osapi::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{10000};
  std::optional<std::chrono::milliseconds> timeout;  // whole request; none by default
};

struct ClientResponse {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;

  const std::string* header(std::string_view name) const { return find_header(headers, name); }
};

// Transport failures (refused, DNS, timeout, reset) → ErrorCode::kUnavailable with curl's
// message. Any HTTP status is a successful result.
Result<ClientResponse> request(const ClientRequest& req);

}  // namespace osapi::http
