#include "job/registry.h"

#include <algorithm>

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

namespace {

bool excluded_from_broadcast(const AgentInfo& a) {
  return a.state == kStatePending || a.state == kStateDraining || a.state == kStateCordoned;
}

// The agent a single-host target names: its hostname or its machine id.
bool names_agent(const Target& target, const AgentInfo& a) {
  return a.hostname == target.raw || (!a.machine_id.empty() && a.machine_id == target.raw);
}

}  // namespace

Status Registry::resolve(Target& target) {
  const Error not_found(ErrorCode::kInvalidArgument,
                        "target agent \"" + target.raw + "\" not found");
  auto check = [&](const std::vector<AgentInfo>& agents) -> std::optional<Status> {
    switch (target.kind) {
      case TargetKind::kAny:
      case TargetKind::kAll: {
        const bool all_pending =
            !agents.empty() && std::all_of(agents.begin(), agents.end(), [](const AgentInfo& a) {
              return a.state == kStatePending;
            });
        if (all_pending)
          return Status(Error(ErrorCode::kInvalidArgument,
                              "every registered agent is pending PKI enrollment"));
        return Status::Ok();
      }
      case TargetKind::kLabel:
        for (const auto& a : agents)
          if (label_matches(a.labels, target.label_key, target.label_value)) return Status::Ok();
        return std::nullopt;
      case TargetKind::kHost:
        for (const auto& a : agents) {
          if (!names_agent(target, a)) continue;
          if (a.state == kStatePending)
            return Status(Error(ErrorCode::kInvalidArgument,
                                "agent \"" + target.raw +
                                    "\" is pending PKI enrollment — accept it with: osapi client "
                                    "agent accept --hostname " +
                                    a.hostname));
          target.machine_id = a.machine_id;
          return Status::Ok();
        }
        return std::nullopt;
    }
    return std::nullopt;
  };
  auto agents = live();
  if (!agents.ok()) {
    logging::warn("cannot read agent registry", {{"error", agents.error().message}});
    if (target.kind == TargetKind::kAny || target.kind == TargetKind::kAll) return Status::Ok();
    return not_found;
  }
  if (auto st = check(*agents)) return *st;
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
  if (auto st = check(*fresh)) return *st;
  return not_found;
}

std::vector<std::string> Registry::expected_hosts(const Target& target) {
  std::vector<std::string> out;
  auto agents = list();  // uncached: an agent that joined a moment ago must be waited for
  if (!agents.ok()) return out;
  for (const auto& a : *agents) {
    if (excluded_from_broadcast(a)) continue;
    if (target.kind == TargetKind::kAll ||
        (target.kind == TargetKind::kLabel &&
         label_matches(a.labels, target.label_key, target.label_value)) ||
        (target.kind == TargetKind::kHost && names_agent(target, a)))
      out.push_back(a.hostname);
  }
  return out;
}

Result<std::vector<ComponentEntry>> Registry::components() {
  if (!kv_) return Error(ErrorCode::kUnavailable, "agent registry is disabled");
  std::vector<ComponentEntry> out;
  for (const char* type : {"agent", "controller", "nats"}) {
    const std::string prefix = std::string(type == std::string("agent") ? "agents" : type);
    auto keys = kv_->keys(prefix + ".>");
    if (!keys.ok()) return keys.error().wrap("failed to list registry keys");
    for (const auto& k : *keys) {
      auto e = kv_->get(k);
      if (!e.ok() || !e->has_value()) continue;
      auto info = AgentInfo::parse((*e)->value);
      if (info.ok()) out.push_back({type, std::move(*info)});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ComponentEntry& a, const ComponentEntry& b) {
    return a.type != b.type ? a.type < b.type : a.info.hostname < b.info.hostname;
  });
  return out;
}

Result<AgentInfo> Registry::find(const std::string& hostname_or_id) {
  auto agents = list();
  if (!agents.ok()) return agents.error();
  for (const auto& a : *agents)
    if (a.machine_id == hostname_or_id) return a;
  for (const auto& a : *agents)
    if (a.hostname == hostname_or_id) return a;
  return Error(ErrorCode::kNotFound, "agent not found: " + hostname_or_id);
}

}  // namespace osapi::job
