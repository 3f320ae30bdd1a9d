#include <future>

#include "api/handlers.h"
#include "common/version.h"

namespace osapi::api {

using json = nlohmann::ordered_json;

http::Response get_health(ApiContext&, http::Request&) {
  return http::Response::json(200, json{{"status", "ok"}});
}

http::Response get_version(ApiContext&, http::Request&) {
  return http::Response::json(200, json{{"version", osapi::version()}});
}

namespace {
// Readiness checks (each bounded to 2 s): NATS connected, jobs KV readable.
std::vector<std::string> readiness_failures(ApiContext& ctx) {
  std::vector<std::string> failures;
  if (!ctx.conn) {
    failures.push_back("NATS client unavailable");
    return failures;
  }
  if (!ctx.conn->connected() || ctx.conn->connected_url().empty()) {
    failures.push_back("NATS not connected");
    failures.push_back("KV bucket not accessible: NATS not connected");
    return failures;
  }
  auto kv = ctx.jobs_kv;
  auto fut = std::async(std::launch::async, [kv] { return kv->status(); });
  if (fut.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
    failures.push_back("KV bucket not accessible: timeout");
    // The future's destructor would block; park it on a detached thread instead.
    std::thread([f = std::move(fut)]() mutable { f.wait(); }).detach();
  } else {
    auto st = fut.get();
    if (!st.ok()) failures.push_back("KV bucket not accessible: " + st.error().message);
  }
  return failures;
}
}  // namespace

http::Response get_health_ready(ApiContext& ctx, http::Request&) {
  const auto failures = readiness_failures(ctx);
  if (failures.empty()) return http::Response::json(200, json{{"status", "ready"}});
  std::string err;
  for (const auto& f : failures) err += (err.empty() ? "" : "\n") + f;
  return http::Response::json(503, json{{"status", "not_ready"}, {"error", err}});
}

}  // namespace osapi::api
