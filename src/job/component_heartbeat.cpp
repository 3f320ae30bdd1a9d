#include "job/component_heartbeat.h"

#include "common/strings.h"
#include "common/time.h"
#include "common/version.h"
#include "logging/logger.h"

namespace osapi::job {

namespace {
constexpr auto kInterval = std::chrono::seconds(10);
}

ComponentHeartbeat::ComponentHeartbeat(std::shared_ptr<messaging::KeyValue> registry,
                                       ComponentSpec spec)
    : registry_(std::move(registry)),
      spec_(std::move(spec)),
      started_at_(rfc3339_nano(Clock::now())) {}

ComponentHeartbeat::~ComponentHeartbeat() {
  stop();
}

std::string ComponentHeartbeat::key() const {
  return spec_.type + "." + sanitize_subject_token(spec_.hostname);
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

json ComponentHeartbeat::record(const std::optional<ProcessUsage>& usage) const {
  AgentInfo info;
  info.hostname = spec_.hostname;
  info.started_at = started_at_;
  info.registered_at = rfc3339_nano(Clock::now());
  info.version = osapi::version();
  if (usage) {
    info.process_rss_bytes = usage->rss_bytes;
    if (last_usage_) {
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - last_at_).count();
      if (wall > 0)
        info.process_cpu_percent = 100.0 * (usage->cpu_seconds - last_usage_->cpu_seconds) / wall;
    }
  }
  if (spec_.sub_components) info.sub_components = spec_.sub_components();
  json j = info.to_json();
  j["type"] = spec_.type;
  j.erase("machine_id");
  j.erase("state");
  return j;
}

void ComponentHeartbeat::beat() {
  std::optional<ProcessUsage> usage;
  if (spec_.process) usage = spec_.process();
  const json j = record(usage);
  last_usage_ = usage;
  last_at_ = std::chrono::steady_clock::now();
  if (auto r = registry_->put(key(), j.dump()); !r.ok())
    logging::warn("component heartbeat failed",
                  {{"type", spec_.type}, {"error", r.error().message}});
}

void ComponentHeartbeat::loop() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!cv_.wait_for(lk, kInterval, [this] { return stopping_; })) {
    lk.unlock();
    beat();
    lk.lock();
  }
}

}  // namespace osapi::job
