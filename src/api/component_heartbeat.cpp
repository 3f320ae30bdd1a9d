#include "api/component_heartbeat.h"

#include "api/metrics.h"
#include "common/strings.h"
#include "common/time.h"
#include "common/version.h"
#include "logging/logger.h"

namespace osapi::api {

namespace {
constexpr auto kInterval = std::chrono::seconds(10);
}

ComponentHeartbeat::ComponentHeartbeat(
    std::shared_ptr<messaging::KeyValue> registry, std::string type, std::string hostname,
    std::function<std::map<std::string, job::SubComponent>()> sub_components)
    : registry_(std::move(registry)),
      type_(std::move(type)),
      hostname_(std::move(hostname)),
      sub_components_(std::move(sub_components)),
      started_at_(rfc3339_nano(Clock::now())) {}

ComponentHeartbeat::~ComponentHeartbeat() {
  stop();
}

std::string ComponentHeartbeat::key() const {
  return type_ + "." + sanitize_subject_token(hostname_);
}

void ComponentHeartbeat::start() {
  beat();
  thread_ = std::thread([this] { loop(); });
}

void ComponentHeartbeat::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (auto st = registry_->del(key()); !st.ok())
    logging::debug("component deregistration failed", {{"error", st.error().message}});
}

void ComponentHeartbeat::beat() {
  job::AgentInfo info;
  info.hostname = hostname_;
  info.started_at = started_at_;
  info.registered_at = rfc3339_nano(Clock::now());
  info.version = osapi::version();
  const ProcessStats ps = read_process_stats();
  const auto now = std::chrono::steady_clock::now();
  if (ps.cpu_seconds >= 0 && last_cpu_ >= 0) {
    const double wall = std::chrono::duration<double>(now - last_at_).count();
    if (wall > 0) info.process_cpu_percent = 100.0 * (ps.cpu_seconds - last_cpu_) / wall;
  }
  last_cpu_ = ps.cpu_seconds;
  last_at_ = now;
  if (ps.resident_bytes >= 0) info.process_rss_bytes = static_cast<int64_t>(ps.resident_bytes);
  if (sub_components_) info.sub_components = sub_components_();
  job::json j = info.to_json();
  j["type"] = type_;
  j.erase("machine_id");
  j.erase("state");
  if (auto r = registry_->put(key(), j.dump()); !r.ok())
    logging::warn("component heartbeat failed", {{"type", type_}, {"error", r.error().message}});
}

void ComponentHeartbeat::loop() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!cv_.wait_for(lk, kInterval, [this] { return stopping_; })) {
    lk.unlock();
    beat();
    lk.lock();
  }
}

}  // namespace osapi::api
