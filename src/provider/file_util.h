// Small file helpers shared by the providers (internal to the provider layer).
#pragma once

#include <string>

#include "common/result.h"

namespace osapi::provider {

// Reads a whole (small) file; /proc files report size 0, so this reads until EOF. Files larger
// than `max_bytes` are an error. Error text like Go's: "open <path>: no such file or directory".
Result<std::string> read_small_file(const std::string& path, size_t max_bytes = 4 << 20);

// Replaces invalid UTF-8 with U+FFFD, so OS-provided text can always be dumped as JSON.
std::string to_valid_utf8(const std::string& s);

// strerror(err) with a lowercase first letter, as Go prints syscall errors.
std::string errno_text(int err);

}  // namespace osapi::provider
