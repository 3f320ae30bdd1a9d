// Files the CLI writes (audit exports and the like) may hold what only the operator should
// read: they are created owner-only (0600), and an existing file is narrowed to 0600 before it
// is overwritten.
#pragma once

#include <string>

#include "common/result.h"

namespace osapi::cli {

// Writes `content` to `path` (created or truncated) with mode 0600. kInternal
// "failed to create <path>: <errno text>" / "failed to write <path>: …" on failure.
Status write_private_file(const std::string& path, const std::string& content);

}  // namespace osapi::cli
