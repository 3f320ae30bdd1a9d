// Message/request header list, shared by the HTTP and NATS carriers. Order kept; lookups that
// need case-insensitivity use find_header.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/strings.h"

namespace osapi {

using Headers = std::vector<std::pair<std::string, std::string>>;

// First value whose name matches case-insensitively; nullptr when absent.
inline const std::string* find_header(const Headers& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (iequals(k, name)) return &v;
  return nullptr;
}

}  // namespace osapi
