#include "provider/hostname.h"

#include <unistd.h>

#include <cerrno>

#include "provider/file_util.h"

namespace osapi::provider {

Result<std::string> kernel_hostname() {
  char buf[256] = {};  // HOST_NAME_MAX is 64 on Linux
  if (::gethostname(buf, sizeof buf - 1) != 0) {
    return Error(ErrorCode::kInternal, "gethostname: " + errno_text(errno));
  }
  return to_valid_utf8(std::string(buf));
}

Result<nlohmann::ordered_json> hostname(const Labels& labels) {
  auto name = kernel_hostname();
  if (!name.ok()) return name.error();
  nlohmann::ordered_json out;
  out["hostname"] = *name;
  if (!labels.empty()) {
    nlohmann::ordered_json l = nlohmann::ordered_json::object();
    for (const auto& [k, v] : labels) l[to_valid_utf8(k)] = to_valid_utf8(v);
    out["labels"] = std::move(l);
  }
  return out;
}

}  // namespace osapi::provider
