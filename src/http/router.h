// Exact, case-sensitive path router with {param} segments. Static segments win over parameters
// (/job/status before /job/{id}). Unknown path → 404, known path with another method → 405 + Allow.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/middleware.h"
#include "http/request.h"
#include "http/response.h"

namespace osapi::http {

class Router {
 public:
  // `path_template` like "/job/{id}/retry"; a {param} matches one non-empty segment.
  void add(std::string method, std::string path_template, Handler handler, RouteInfo info = {});

  // Fills req.route, req.path_params and req.route_info when method and path match a route;
  // clears them otherwise. Returns true on a full match.
  bool match(Request& req) const;

  // Runs the matched handler, or answers 413 (body over the limit), 404 or 405.
  Response dispatch(Request& req) const;

  // Methods routed for a concrete path, in registration order without duplicates; empty when
  // no template matches the path.
  std::vector<std::string> allowed_methods(std::string_view path) const;

  // Terminal handler for chain(): dispatch().
  Handler handler() const;

  // Every registered route, in registration order (route tables, RBAC checks).
  struct Entry {
    std::string method;
    std::string path_template;
    RouteInfo info;
  };
  std::vector<Entry> routes() const;

 private:
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;
    Handler handler;
    RouteInfo info;
  };
  // Matching routes for the path, most specific first.
  std::vector<const Route*> candidates(std::string_view path) const;

  std::vector<Route> routes_;
};

// Splits "/a/b" into {"a","b"}; "/" into {""}; "/a/" into {"a",""}.
std::vector<std::string_view> split_path(std::string_view path);

// The application with its middleware: matches the route, then runs the chain around
// router.dispatch(). `router` must outlive the returned handler.
Handler make_app(const Router& router, std::vector<Middleware> middlewares);

}  // namespace osapi::http
