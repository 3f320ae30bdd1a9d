// The framework's view of one HTTP request, filled by the server and the router, shared by the
// middleware chain and the handlers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/headers.h"

namespace osapi::http {

// Metadata attached to a route at registration; read by later middleware (auth, audit).
struct RouteInfo {
  std::string operation_id;
  std::string permission;  // "" = no authentication required
};

struct Request {
  std::string method;  // "GET"
  std::string target;  // raw request target: "/job?limit=5"
  std::string path;    // target before '?', not percent-decoded
  std::string raw_query;
  std::map<std::string, std::string> query;  // decoded; repeated keys: first value wins
  Headers headers;
  std::string body;
  std::string peer_address;
  uint16_t peer_port = 0;
  // Set when the body exceeded the server's limit; the body was not read (answered 413).
  bool body_too_large = false;

  // Filled by the router before the middleware runs, when a route matches method and path.
  std::string route;  // registered template, "/job/{id}"; "" when nothing matched
  std::map<std::string, std::string> path_params;  // percent-decoded
  RouteInfo route_info;

  // Values middlewares share ("request_id", auth subject, ...).
  std::map<std::string, std::string> attrs;

  const std::string* header(std::string_view name) const { return find_header(headers, name); }
  // First query value, or nullptr when absent.
  const std::string* query_param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  }
};

// Splits a target into path and query and fills Request::query.
void set_target(Request& req, std::string_view target);
// Percent-decoding; `plus_as_space` for query strings. Invalid escapes are kept verbatim.
std::string percent_decode(std::string_view s, bool plus_as_space);
// Client IP as seen through proxies: first X-Forwarded-For hop, then X-Real-IP, then the peer.
std::string client_ip(const Request& req);

}  // namespace osapi::http
