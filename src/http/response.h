// A response produced by a handler or middleware; the server serialises it.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/headers.h"

namespace osapi::http {

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // JSON document + "\n" with Content-Type application/json; 204 gets neither body nor type.
  static Response json(int status, const nlohmann::ordered_json& body);
  static Response json(int status, const nlohmann::json& body);
  // Framework error body {"message":"..."} (routing, binding, decoding, 413, 415, panics).
  static Response framework_error(int status, std::string_view message);
  // Application error body {"error":"..."} (validation, auth, handler failures).
  static Response app_error(int status, std::string_view error);
  // 204 No Content: no body, no Content-Type.
  static Response no_content();
  // Arbitrary body with the given Content-Type (e.g. Prometheus text).
  static Response text(int status, std::string body, std::string_view content_type);

  const std::string* header(std::string_view name) const { return find_header(headers, name); }
  // Replaces every header with this name (case-insensitive) by one entry.
  void set_header(std::string_view name, std::string value);
  void add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// Standard reason phrase ("Not Found"); "" for unknown codes.
std::string_view reason_phrase(int status);

}  // namespace osapi::http
