#include "http/access_log_middleware.h"

#include <chrono>

#include "common/time.h"
#include "http/request_id_middleware.h"
#include "logging/logger.h"

namespace osapi::http {

Middleware access_log_middleware() {
  return [](Request& req, const Next& next) {
    const auto start = std::chrono::steady_clock::now();
    Response resp = next(req);
    const auto latency = std::chrono::steady_clock::now() - start;
    const logging::Level level = resp.status >= 500   ? logging::Level::kError
                                 : resp.status >= 400 ? logging::Level::kWarn
                                                      : logging::Level::kInfo;
    if (!logging::enabled(level)) return resp;
    std::string id;
    if (const auto* h = resp.header("X-Request-Id")) {
      id = *h;
    } else if (auto it = req.attrs.find(kRequestIdAttr); it != req.attrs.end()) {
      id = it->second;
    }
    logging::log(
        level, "Incoming request",
        {{"request.method", req.method},
         {"request.path", req.path},
         {"request.route", req.route},
         {"request.ip", client_ip(req)},
         {"response.status", resp.status},
         {"response.latency", format_go_duration(std::chrono::duration_cast<Nanos>(latency))},
         {"id", id}});
    return resp;
  };
}

}  // namespace osapi::http
