#include "api/audit_middleware.h"

#include <chrono>

#include "common/time.h"
#include "telemetry/tracing.h"

namespace osapi::api {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return !prefix.empty() && s.compare(0, prefix.size(), prefix) == 0;
}

std::vector<std::string> split_roles(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  for (;;) {
    const size_t comma = joined.find(',', start);
    out.push_back(joined.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

http::Middleware audit_middleware(std::shared_ptr<AuditLog> log) {
  return [log = std::move(log)](http::Request& req, const http::Next& next) {
    const auto started_wall = Clock::now();
    const auto started = std::chrono::steady_clock::now();
    // Captured now: the server span is active on this thread only while the chain runs.
    const std::string trace_id = telemetry::current_trace_id();

    auto record = [&](int status) {
      auto user = req.attrs.find("auth.user");
      if (user == req.attrs.end() || user->second.empty()) return;
      if (starts_with(req.path, "/api/health") || starts_with(req.path, "/metrics")) return;
      AuditEntry e;
      e.timestamp = rfc3339_micro(started_wall);
      e.user = user->second;
      if (auto roles = req.attrs.find("auth.roles"); roles != req.attrs.end())
        e.roles = split_roles(roles->second);
      e.method = req.method;
      e.path = req.path;
      e.operation_id = req.route_info.operation_id;
      e.source_ip = http::client_ip(req);
      e.response_code = status;
      e.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
      e.trace_id = trace_id;
      log->record(std::move(e));
    };

    http::Response resp;
    try {
      resp = next(req);
    } catch (...) {
      record(500);  // the exception guard outside answers 500
      throw;
    }
    record(resp.status);
    return resp;
  };
}

}  // namespace osapi::api
