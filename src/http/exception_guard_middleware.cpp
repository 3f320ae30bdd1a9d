#include "http/exception_guard_middleware.h"

#include <exception>
#include <string>

#include "http/request_id_middleware.h"
#include "logging/logger.h"

namespace osapi::http {

namespace {

Response recovered(Request& req, const std::string& what) {
  logging::error("recovered from panic",
                 {{"error", what}, {"request.method", req.method}, {"request.path", req.path}});
  Response resp = Response::framework_error(500, "Internal Server Error");
  if (auto it = req.attrs.find(kRequestIdAttr); it != req.attrs.end())
    resp.set_header("X-Request-Id", it->second);
  return resp;
}

}  // namespace

Middleware exception_guard_middleware() {
  return [](Request& req, const Next& next) -> Response {
    try {
      return next(req);
    } catch (const std::exception& e) {
      return recovered(req, e.what());
    } catch (...) {
      return recovered(req, "unknown exception");
    }
  };
}

}  // namespace osapi::http
