// Body field checks of the node-scoped routes: Go-style type errors of the decoding stage,
// typed field access, ip / RFC 952 hostname / alphanum tags, and the "<Type>.<Field>"
// failure list of the validation stage.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/response.h"

namespace osapi::api {

// go-playground `ip`: an IPv4 or IPv6 address (no zone, no prefix length).
bool is_ip(std::string_view s);
// go-playground `hostname` (RFC 952): ^[a-zA-Z]([a-zA-Z0-9\-]+[\.]?)*[a-zA-Z0-9]$, matched
// without a backtracking regex (the input is untrusted).
bool is_rfc952_hostname(std::string_view s);
// go-playground `alphanum`: one or more ASCII letters or digits.
bool is_alphanum(std::string_view s);

// Validator failures of one request type, in check order; message() joins them with "; ".
class Violations {
 public:
  explicit Violations(std::string type) : type_(std::move(type)) {}
  void add(const std::string& field, const std::string& tag);
  bool empty() const { return messages_.empty(); }
  std::string message() const;
  // 400 {"error":"<message>"}.
  http::Response response() const;

 private:
  std::string type_;
  std::vector<std::string> messages_;
};

// The JSON type a body field must have, as Go would unmarshal it.
enum class FieldType { kString, kStringList, kInt, kBool };

struct BodyField {
  std::string name;  // JSON key
  FieldType type;
};

// Stage-2 decoding check of a decoded body: not an object, or a listed field of the wrong
// type → 400 {"message":"Unmarshal type error: expected=<type>, got=<type>, field=<f>,
// offset=<n>"} (offset = byte offset just past the offending value in `raw`). null counts as
// absent, as Go leaves the field unset.
std::optional<http::Response> check_body_types(const nlohmann::json& body, std::string_view raw,
                                               const std::string& go_type,
                                               const std::vector<BodyField>& fields);

// Typed access after check_body_types passed: nullopt when absent or null.
std::optional<std::string> string_field(const nlohmann::json& body, const char* name);
std::optional<std::vector<std::string>> string_list_field(const nlohmann::json& body,
                                                          const char* name);
std::optional<long long> int_field(const nlohmann::json& body, const char* name);
std::optional<bool> bool_field(const nlohmann::json& body, const char* name);

}  // namespace osapi::api
