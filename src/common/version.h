#pragma once

namespace osapi {
// Build version, served by `osapi version`, GET /version and /health/status.
const char* version();
}  // namespace osapi
