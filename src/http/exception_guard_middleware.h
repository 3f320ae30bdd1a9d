// Turns any exception escaping the inner chain into 500 {"message":"Internal Server Error"},
// logged at Error. The response still carries X-Request-Id (read from req.attrs).
#pragma once

#include "http/middleware.h"

namespace osapi::http {

Middleware exception_guard_middleware();

}  // namespace osapi::http
