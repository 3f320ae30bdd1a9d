// Audit middleware: after the response is produced, queues one entry for every request whose
// auth step verified a token (authorized outcomes and 403s). Not recorded: 401s and anything
// failing before auth (no "auth.user" attr), paths starting with /api/health or /metrics.
#pragma once

#include <memory>
#include <string>

#include "api/audit.h"
#include "http/middleware.h"

namespace osapi::api {

http::Middleware audit_middleware(std::shared_ptr<AuditLog> log);

}  // namespace osapi::api
