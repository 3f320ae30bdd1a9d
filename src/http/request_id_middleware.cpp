#include "http/request_id_middleware.h"

#include "common/ids.h"

namespace osapi::http {

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

Middleware request_id_middleware() {
  return [](Request& req, const Next& next) {
    const std::string* incoming = req.header("X-Request-Id");
    std::string id = incoming && valid_request_id(*incoming) ? *incoming : random_alnum(32);
    req.attrs[kRequestIdAttr] = id;
    Response resp = next(req);
    resp.set_header("X-Request-Id", std::move(id));
    return resp;
  };
}

}  // namespace osapi::http
