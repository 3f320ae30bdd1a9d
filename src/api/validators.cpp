#include "api/validators.h"

#include <arpa/inet.h>

#include <cctype>
#include <limits>

#include "api/validation.h"
#include "common/strings.h"

namespace osapi::api {

using json = nlohmann::json;

namespace {

bool is_alnum_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Offsets into a JSON text that is known to be valid (the body already decoded).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}

  // Byte offset just past the value of top-level key `key`; the text length when not found.
  size_t value_end(std::string_view key) {
    i_ = 0;
    skip_ws();
    if (i_ >= t_.size() || t_[i_] != '{') return skip_value_from_start();
    ++i_;
    while (i_ < t_.size()) {
      skip_ws();
      if (i_ >= t_.size() || t_[i_] == '}') break;
      const size_t key_begin = i_ + 1;
      skip_string();
      const std::string_view k = t_.substr(key_begin, i_ - 1 - key_begin);
      skip_ws();
      ++i_;  // ':'
      skip_ws();
      skip_value();
      if (k == key) return i_;
      skip_ws();
      if (i_ < t_.size() && t_[i_] == ',') ++i_;
    }
    return t_.size();
  }

  size_t skip_value_from_start() {
    i_ = 0;
    skip_ws();
    skip_value();
    return i_;
  }

 private:
  void skip_ws() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) ++i_;
  }
  void skip_string() {  // at '"'; ends past the closing quote
    ++i_;
    while (i_ < t_.size() && t_[i_] != '"') i_ += t_[i_] == '\\' ? 2 : 1;
    ++i_;
  }
  void skip_value() {
    if (i_ >= t_.size()) return;
    if (t_[i_] == '"') return skip_string();
    if (t_[i_] == '{' || t_[i_] == '[') {
      int depth = 0;
      while (i_ < t_.size()) {
        const char c = t_[i_];
        if (c == '"') {
          skip_string();
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') --depth;
        ++i_;
        if (depth == 0) return;
      }
      return;
    }
    while (i_ < t_.size() && t_[i_] != ',' && t_[i_] != '}' && t_[i_] != ']' &&
           !std::isspace(static_cast<unsigned char>(t_[i_])))
      ++i_;
  }

  std::string_view t_;
  size_t i_ = 0;
};

// Go's name for the JSON value's type in an UnmarshalTypeError.
std::string go_value_name(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  if (v.is_number_float()) return "number " + v.dump();
  if (v.is_number()) return "number";
  return "null";
}

bool fits_int(const json& v) {
  if (v.is_number_unsigned())
    return v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return v.is_number_integer();
}

http::Response type_error(const std::string& expected, const std::string& got,
                          const std::string& field, size_t offset) {
  return http::Response::framework_error(400, "Unmarshal type error: expected=" + expected +
                                                  ", got=" + got + ", field=" + field +
                                                  ", offset=" + std::to_string(offset));
}

}  // namespace

bool is_ip(std::string_view s) {
  const std::string text(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

bool is_rfc952_hostname(std::string_view s) {
  // First a letter, last a letter or digit; the middle is groups of [A-Za-z0-9-]+ each
  // optionally followed by one dot: it never starts with a dot and has no two dots in a row.
  if (s.size() < 2 || !std::isalpha(static_cast<unsigned char>(s.front())) ||
      !is_alnum_char(s.back()))
    return false;
  const std::string_view middle = s.substr(1, s.size() - 2);
  char prev = '.';  // a leading dot in the middle is invalid
  for (const char c : middle) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_alnum_char(c) && c != '-') {
      return false;
    }
    prev = c;
  }
  return true;
}

bool is_alphanum(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!is_alnum_char(c) || static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

void Violations::add(const std::string& field, const std::string& tag) {
  messages_.push_back(field_error(type_, field, tag));
}

std::string Violations::message() const {
  return join(messages_, "; ");
}

http::Response Violations::response() const {
  return http::Response::app_error(400, message());
}

std::optional<http::Response> check_body_types(const json& body, std::string_view raw,
                                               const std::string& go_type,
                                               const std::vector<BodyField>& fields) {
  if (!body.is_object()) {
    // {} stands in for an empty body, so `raw` may be empty here only for an object.
    return type_error(go_type, go_value_name(body), "", Scanner(raw).skip_value_from_start());
  }
  for (const auto& f : fields) {
    auto it = body.find(f.name);
    if (it == body.end() || it->is_null()) continue;
    const auto offset = [&] { return Scanner(raw).value_end(f.name); };
    switch (f.type) {
      case FieldType::kString:
        if (!it->is_string()) return type_error("string", go_value_name(*it), f.name, offset());
        break;
      case FieldType::kInt:
        if (!fits_int(*it)) return type_error("int", go_value_name(*it), f.name, offset());
        break;
      case FieldType::kBool:
        if (!it->is_boolean()) return type_error("bool", go_value_name(*it), f.name, offset());
        break;
      case FieldType::kStringList:
        if (!it->is_array()) return type_error("[]string", go_value_name(*it), f.name, offset());
        for (const auto& e : *it)
          if (!e.is_string() && !e.is_null())
            return type_error("string", go_value_name(e), f.name, offset());
        break;
    }
  }
  return std::nullopt;
}

std::optional<std::string> string_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<std::vector<std::string>> string_list_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& e : *it) out.push_back(e.is_string() ? e.get<std::string>() : std::string());
  return out;
}

std::optional<bool> bool_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::optional<long long> int_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !fits_int(*it)) return std::nullopt;
  return it->get<long long>();
}

}  // namespace osapi::api
