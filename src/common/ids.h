// Random identifiers: UUID v4/v7, request ids.
#pragma once

#include <string>
#include <string_view>

namespace osapi {

std::string uuid_v4();
// Time-ordered UUIDv7, monotonic within the process.
std::string uuid_v7();
// Random [A-Za-z0-9] string.
std::string random_alnum(size_t n);
// Lowercase-or-uppercase 8-4-4-4-12 hex.
bool is_uuid(std::string_view s);
// Lowercase hex of n random bytes.
std::string random_hex(size_t n_bytes);

}  // namespace osapi
