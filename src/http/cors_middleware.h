// CORS. An empty allow list disables CORS entirely (no headers;
// OPTIONS is an ordinary unrouted method). Entries: exact origins, "*", or one wildcard such as
// "https://*.example.com" (any subdomain).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/middleware.h"
#include "http/router.h"

namespace osapi::http {

// The allow-list entry `origin` matches, or nullptr.
const std::string* match_origin(const std::vector<std::string>& allow_origins,
                                std::string_view origin);

// `router` must outlive the middleware (preflight reads its routed methods).
Middleware cors_middleware(std::vector<std::string> allow_origins, const Router& router);

}  // namespace osapi::http
