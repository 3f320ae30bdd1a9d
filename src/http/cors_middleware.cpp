#include "http/cors_middleware.h"

#include "common/strings.h"

namespace osapi::http {

namespace {

constexpr const char* kDefaultMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";

bool host_chars(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return s.front() != '.' && s.back() != '.';
}

bool wildcard_match(std::string_view pattern, std::string_view origin) {
  const auto star = pattern.find('*');
  const auto prefix = pattern.substr(0, star);
  const auto suffix = pattern.substr(star + 1);
  if (origin.size() <= prefix.size() + suffix.size()) return false;
  if (!origin.starts_with(prefix) || !origin.ends_with(suffix)) return false;
  // The wildcard stands for subdomain labels only: no scheme, port or path smuggling.
  return host_chars(origin.substr(prefix.size(), origin.size() - prefix.size() - suffix.size()));
}

}  // namespace

const std::string* match_origin(const std::vector<std::string>& allow_origins,
                                std::string_view origin) {
  if (origin.empty()) return nullptr;
  for (const auto& entry : allow_origins) {
    if (entry == "*" || entry == origin) return &entry;
    if (entry.find('*') != std::string::npos && wildcard_match(entry, origin)) return &entry;
  }
  return nullptr;
}

Middleware cors_middleware(std::vector<std::string> allow_origins, const Router& router) {
  if (allow_origins.empty()) {
    return [](Request& req, const Next& next) { return next(req); };
  }
  return [origins = std::move(allow_origins), &router](Request& req, const Next& next) {
    const std::string* origin_header = req.header("Origin");
    const std::string origin = origin_header ? *origin_header : std::string();
    const std::string* entry = match_origin(origins, origin);
    const std::string allow_origin = entry == nullptr ? "" : (*entry == "*" ? "*" : origin);

    if (req.method != "OPTIONS" || origin.empty()) {
      if (req.method == "OPTIONS") {
        // Preflight without Origin: 204, no CORS headers.
        Response resp = Response::no_content();
        resp.add_header("Vary",
                        "Origin, Access-Control-Request-Method, "
                        "Access-Control-Request-Headers");
        return resp;
      }
      Response resp = next(req);
      resp.add_header("Vary", "Origin");
      if (!allow_origin.empty()) resp.set_header("Access-Control-Allow-Origin", allow_origin);
      return resp;
    }

    Response resp = Response::no_content();
    resp.add_header("Vary",
                    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    if (allow_origin.empty()) return resp;
    resp.add_header("Access-Control-Allow-Origin", allow_origin);
    const auto methods = router.allowed_methods(req.path);
    resp.add_header("Access-Control-Allow-Methods",
                    methods.empty() ? std::string(kDefaultMethods) : join(methods, ","));
    if (const auto* h = req.header("Access-Control-Request-Headers"); h && !h->empty())
      resp.add_header("Access-Control-Allow-Headers", *h);
    return resp;
  };
}

}  // namespace osapi::http
