#include "http/binding.h"

#include <string>

#include "common/ids.h"
#include "common/strings.h"

namespace osapi::http {

namespace {

// Depth of [ and { outside strings; stops early once over the limit.
bool too_deep(std::string_view body, size_t& offset) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        offset = i + 1;
        return true;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error
// while parsing value - invalid literal; last read: 'x'" → the part after the location.
std::string parse_detail(const std::string& what) {
  const auto colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

bool is_json_content_type(std::string_view content_type) {
  const auto semi = content_type.find(';');
  return iequals(trim(content_type.substr(0, semi)), "application/json");
}

Bound<nlohmann::json> decode_json_body(const Request& req) {
  if (req.body_too_large) return Response::framework_error(413, "Request Entity Too Large");
  if (req.body.empty()) return nlohmann::json::object();
  const std::string* ct = req.header("Content-Type");
  if (ct == nullptr || !is_json_content_type(*ct))
    return Response::framework_error(415, "Unsupported Media Type");
  size_t offset = 0;
  if (too_deep(req.body, offset)) {
    return Response::framework_error(
        400, "Syntax error: offset=" + std::to_string(offset) + ", error=exceeded max depth");
  }
  try {
    return nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    return Response::framework_error(400, "Syntax error: offset=" + std::to_string(e.byte) +
                                              ", error=" + parse_detail(e.what()));
  } catch (const std::exception& e) {
    return Response::framework_error(400, std::string("Syntax error: offset=0, error=") + e.what());
  }
}

Response invalid_parameter(std::string_view name, std::string_view detail) {
  return Response::framework_error(
      400, "Invalid format for parameter " + std::string(name) + ": " + std::string(detail));
}

Bound<long long> query_int(const Request& req, const std::string& name, long long default_value) {
  const std::string* v = req.query_param(name);
  if (v == nullptr || v->empty()) return default_value;
  long long out = 0;
  if (!parse_int64(*v, out)) {
    // Same wording as the upstream Go binder (strconv.ParseInt).
    bool digits = !v->empty();
    for (size_t i = 0; i < v->size(); ++i) {
      const char c = (*v)[i];
      if (!((c >= '0' && c <= '9') || (i == 0 && (c == '-' || c == '+') && v->size() > 1)))
        digits = false;
    }
    return invalid_parameter(name, "error binding string parameter: strconv.ParseInt: parsing \"" +
                                       *v +
                                       "\": " + (digits ? "value out of range" : "invalid syntax"));
  }
  return out;
}

Bound<std::string> path_uuid(const Request& req, const std::string& name) {
  auto it = req.path_params.find(name);
  const std::string v = it == req.path_params.end() ? std::string() : it->second;
  if (is_uuid(v)) return v;
  const std::string reason = v.size() != 36 ? "invalid UUID length: " + std::to_string(v.size())
                                            : std::string("invalid UUID format");
  return invalid_parameter(name, "error unmarshaling '" + v + "' text as *uuid.UUID: " + reason);
}

}  // namespace osapi::http
