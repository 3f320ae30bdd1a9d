#include "job/registry.h"

#include "logging/logger.h"

namespace osapi::job {

Registry::Registry(std::shared_ptr<messaging::KeyValue> kv, std::chrono::milliseconds cache_ttl)
    : kv_(std::move(kv)), ttl_(cache_ttl) {}

Result<std::vector<AgentInfo>> Registry::list() {
  if (!kv_) return Error(ErrorCode::kUnavailable, "agent registry is disabled");
  auto keys = kv_->keys("agents.>");
  if (!keys.ok()) return keys.error().wrap("failed to list registry keys");
  std::vector<AgentInfo> out;
  for (const auto& k : *keys) {
    auto e = kv_->get(k);
    if (!e.ok() || !e->has_value()) continue;  // expired between keys() and get()
    auto info = AgentInfo::parse((*e)->value);
    if (info.ok()) out.push_back(std::move(*info));
  }
  return out;
}

Result<std::vector<AgentInfo>> Registry::live() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (cache_ && std::chrono::steady_clock::now() - cached_at_ < ttl_) return *cache_;
  }
  auto fresh = list();
  if (!fresh.ok()) return fresh;
  std::lock_guard<std::mutex> lk(mu_);
  cache_ = *fresh;
  cached_at_ = std::chrono::steady_clock::now();
  return *cache_;
}

Status Registry::validate(const Target& target) {
  if (target.kind == TargetKind::kAny || target.kind == TargetKind::kAll) return Status::Ok();
  const Error not_found(ErrorCode::kInvalidArgument,
                        "target agent \"" + target.raw + "\" not found");
  auto matches = [&](const std::vector<AgentInfo>& agents) {
    for (const auto& a : agents) {
      if (target.kind == TargetKind::kHost && a.hostname == target.raw) return true;
      if (target.kind == TargetKind::kLabel &&
          label_matches(a.labels, target.label_key, target.label_value))
        return true;
    }
    return false;
  };
  auto agents = live();
  if (!agents.ok()) {
    logging::warn("cannot read agent registry", {{"error", agents.error().message}});
    return not_found;
  }
  if (matches(*agents)) return Status::Ok();
  // A miss may be an agent that registered after the cache was filled: look again, at most
  // once a second, so a burst of bad targets cannot hammer the registry.
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (std::chrono::steady_clock::now() - cached_at_ < std::chrono::seconds(1)) return not_found;
  }
  auto fresh = list();
  if (!fresh.ok()) return not_found;
  {
    std::lock_guard<std::mutex> lk(mu_);
    cache_ = *fresh;
    cached_at_ = std::chrono::steady_clock::now();
  }
  return matches(*fresh) ? Status::Ok() : not_found;
}

std::vector<std::string> Registry::expected_hosts(const Target& target) {
  std::vector<std::string> out;
  auto agents = list();  // uncached: an agent that joined a moment ago must be waited for
  if (!agents.ok()) return out;
  for (const auto& a : *agents) {
    if (target.kind == TargetKind::kAll ||
        (target.kind == TargetKind::kLabel &&
         label_matches(a.labels, target.label_key, target.label_value)) ||
        (target.kind == TargetKind::kHost && a.hostname == target.raw))
      out.push_back(a.hostname);
  }
  return out;
}

}  // namespace osapi::job
