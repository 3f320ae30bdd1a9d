// Middleware plumbing: a handler maps a request to a response; a middleware wraps the rest of
// the chain. Applied outermost-first.
#pragma once

#include <functional>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace osapi::http {

using Next = std::function<Response(Request&)>;
using Handler = Next;
using Middleware = std::function<Response(Request&, const Next&)>;

// middlewares[0] runs first and sees the final response last.
Handler chain(std::vector<Middleware> middlewares, Handler terminal);

}  // namespace osapi::http
