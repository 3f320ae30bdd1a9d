// X-Request-Id: echo a clean incoming id, else a fresh 32-char one.
// Stored in req.attrs["request_id"] and set on every response.
#pragma once

#include <string_view>

#include "http/middleware.h"

namespace osapi::http {

inline constexpr const char* kRequestIdAttr = "request_id";

// True for 1..128 printable ASCII characters.
bool valid_request_id(std::string_view id);
Middleware request_id_middleware();

}  // namespace osapi::http
