#include "http/router.h"

#include <algorithm>

#include "common/strings.h"

namespace osapi::http {

namespace {

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? path.npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

void Router::add(std::string method, std::string path_template, Handler handler, RouteInfo info) {
  Route r;
  r.method = std::move(method);
  r.path_template = std::move(path_template);
  for (auto seg : split_path(r.path_template)) r.segments.emplace_back(seg);
  r.handler = std::move(handler);
  r.info = std::move(info);
  routes_.push_back(std::move(r));
}

std::vector<const Router::Route*> Router::candidates(std::string_view path) const {
  std::vector<const Route*> out;
  if (path.empty() || path.front() != '/') return out;
  const auto segs = split_path(path);
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      ok = is_param(r.segments[i]) ? !segs[i].empty() : r.segments[i] == segs[i];
    }
    if (ok) out.push_back(&r);
  }
  // Most specific first: at the first segment where two templates differ in kind, the static
  // one wins. Stable keeps registration order otherwise.
  std::stable_sort(out.begin(), out.end(), [](const Route* a, const Route* b) {
    for (size_t i = 0; i < a->segments.size(); ++i) {
      const bool pa = is_param(a->segments[i]);
      const bool pb = is_param(b->segments[i]);
      if (pa != pb) return !pa;
    }
    return false;
  });
  return out;
}

bool Router::match(Request& req) const {
  req.route.clear();
  req.path_params.clear();
  req.route_info = {};
  for (const Route* r : candidates(req.path)) {
    if (r->method != req.method) continue;
    req.route = r->path_template;
    req.route_info = r->info;
    const auto segs = split_path(req.path);
    for (size_t i = 0; i < segs.size(); ++i) {
      const auto& t = r->segments[i];
      if (is_param(t)) req.path_params[t.substr(1, t.size() - 2)] = percent_decode(segs[i], false);
    }
    return true;
  }
  return false;
}

std::vector<std::string> Router::allowed_methods(std::string_view path) const {
  std::vector<std::string> out;
  for (const Route* r : candidates(path)) {
    if (std::find(out.begin(), out.end(), r->method) == out.end()) out.push_back(r->method);
  }
  return out;
}

Response Router::dispatch(Request& req) const {
  // Never hand a handler a request whose body was cut off.
  if (req.body_too_large) return Response::framework_error(413, "Request Entity Too Large");
  const auto cands = candidates(req.path);
  if (cands.empty()) return Response::framework_error(404, "Not Found");
  for (const Route* r : cands) {
    if (r->method != req.method) continue;
    if (req.route != r->path_template) match(req);
    return r->handler(req);
  }
  Response resp = Response::framework_error(405, "Method Not Allowed");
  resp.set_header("Allow", join(allowed_methods(req.path), ", "));
  return resp;
}

std::vector<Router::Entry> Router::routes() const {
  std::vector<Entry> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r.method, r.path_template, r.info});
  return out;
}

Handler Router::handler() const {
  return [this](Request& req) { return dispatch(req); };
}

Handler make_app(const Router& router, std::vector<Middleware> middlewares) {
  Handler inner = chain(std::move(middlewares), router.handler());
  return [&router, inner = std::move(inner)](Request& req) {
    router.match(req);
    return inner(req);
  };
}

}  // namespace osapi::http
