// The GET /api/health/status call shared by client health status and client
// controller|nats|agent status (client_health.cpp).
#pragma once

#include "cli/api_call.h"

namespace osapi::cli {

// Shows the body with `view` (the raw body with --json). A 503 answers a degraded system: its
// body is shown too, then the command fails with the API error line.
int show_health_status(Context& ctx, const View& view);

}  // namespace osapi::cli
