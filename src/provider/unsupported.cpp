#include "provider/unsupported.h"

namespace osapi::provider {

Error unsupported_error(const std::string& detail) {
  std::string message(kUnsupportedMessage);
  if (!detail.empty()) message += ": " + detail;
  return Error(ErrorCode::kUnavailable, std::move(message));
}

bool is_unsupported(const Error& error) {
  const std::string_view m = error.message;
  if (error.code != ErrorCode::kUnavailable || !m.starts_with(kUnsupportedMessage)) return false;
  return m.size() == kUnsupportedMessage.size() || m.substr(kUnsupportedMessage.size(), 2) == ": ";
}

}  // namespace osapi::provider
