// Request binding for handlers: JSON body decoding, integer
// query parameters, UUID path parameters. Failures carry the ready-made framework error
// response, so a handler can `if (!b) return b.response();`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "http/request.h"
#include "http/response.h"

namespace osapi::http {

template <typename T>
class Bound {
 public:
  Bound(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Bound(Response error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  // The error response (only when !ok()).
  Response& response() & { return std::get<1>(v_); }
  Response&& response() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Response> v_;
};

// Nesting deeper than this is rejected as a syntax error (keeps recursion bounded).
inline constexpr int kMaxJsonDepth = 512;

// Empty body → {}. Body present with a Content-Type other than application/json (parameters
// allowed) → 415. Malformed → 400 {"message":"Syntax error: offset=<n>, error=<detail>"}.
// 413 when the server flagged the body as over the limit.
Bound<nlohmann::json> decode_json_body(const Request& req);

// True when Content-Type's media type is application/json (case-insensitive, params ignored).
bool is_json_content_type(std::string_view content_type);

// Integer query parameter: absent (or empty) → `default_value`; junk → 400 {"message":
// "Invalid format for parameter <name>: ..."}. Range checks are the handler's job.
Bound<long long> query_int(const Request& req, const std::string& name, long long default_value);

// UUID path parameter: not a UUID → 400 {"message":"Invalid format for parameter <name>: ..."}.
// The value is returned as sent.
Bound<std::string> path_uuid(const Request& req, const std::string& name);

// Builds the framework's binding error response.
Response invalid_parameter(std::string_view name, std::string_view detail);

}  // namespace osapi::http
