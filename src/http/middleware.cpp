#include "http/middleware.h"

#include <memory>

namespace osapi::http {

Handler chain(std::vector<Middleware> middlewares, Handler terminal) {
  Handler next = std::move(terminal);
  for (auto it = middlewares.rbegin(); it != middlewares.rend(); ++it) {
    auto inner = std::make_shared<Handler>(std::move(next));
    next = [mw = std::move(*it), inner](Request& req) { return mw(req, *inner); };
  }
  return next;
}

}  // namespace osapi::http
