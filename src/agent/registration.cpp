#include "agent/registration.h"

#include "agent/conditions.h"
#include "common/strings.h"
#include "logging/logger.h"
#include "provider/disk.h"
#include "provider/load.h"
#include "provider/memory.h"
#include "provider/os_info.h"
#include "provider/uptime.h"

namespace osapi::agent {

namespace {

std::vector<DiskReading> disk_readings() {
  std::vector<DiskReading> out;
  auto usage = provider::disk_usage();
  if (!usage.ok() || !usage->is_array()) return out;
  for (const auto& d : *usage) {
    if (!d.is_object()) continue;
    DiskReading r;
    r.name = d.value("Name", "");
    r.total = d.value("Total", uint64_t{0});
    r.used = d.value("Used", uint64_t{0});
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::map<std::string, job::SubComponent> agent_sub_components(const config::Config& cfg) {
  std::map<std::string, job::SubComponent> out;
  out["agent.facts"] = {cfg.nats.facts.bucket.empty() ? "disabled" : "ok", ""};
  out["agent.heartbeat"] = {"ok", ""};
  out["agent.pki"] = {"disabled", ""};
  const auto& m = cfg.agent.metrics;
  out["agent.metrics"] = {m.enabled ? "ok" : "disabled",
                          m.enabled ? "http://" + m.host + ":" + std::to_string(m.port) : ""};
  return out;
}

Registration::Registration(const config::Config& cfg, std::shared_ptr<messaging::KeyValue> kv,
                           std::string machine_id, HostnameCell& hostname, Options options)
    : cfg_(cfg),
      kv_(std::move(kv)),
      machine_id_(std::move(machine_id)),
      key_(job::registry_key(machine_id_)),
      hostname_(hostname),
      options_(std::move(options)),
      started_at_(rfc3339_nano(Clock::now())),
      sub_components_(agent_sub_components(cfg)) {}

Registration::~Registration() {
  stop();
}

Status Registration::check_collision() {
  auto existing = kv_->get(key_);
  if (!existing.ok()) return existing.error().wrap("failed to read agent registry");
  if (!existing->has_value()) return Status::Ok();
  auto other = job::AgentInfo::parse((*existing)->value);
  if (!other.ok()) return Status::Ok();  // unreadable leftovers are simply overwritten
  const std::string me = hostname_.get();
  const bool same_id = other->machine_id.empty() || other->machine_id == machine_id_;
  if (other->hostname == me && same_id) return Status::Ok();  // our own entry from a restart
  return Error(ErrorCode::kAlreadyExists, "registry key " + key_ + " is held by live agent \"" +
                                              other->hostname + "\" (machine id " +
                                              other->machine_id + "); refusing to start agent \"" +
                                              me + "\" (machine id " + machine_id_ + ")");
}

job::AgentInfo Registration::build(Clock::time_point now) {
  job::AgentInfo info;
  info.machine_id = machine_id_;
  info.hostname = hostname_.get();
  info.labels = cfg_.agent.labels;
  info.registered_at = rfc3339_nano(now);
  info.started_at = started_at_;
  info.state = job::kStateReady;
  info.sub_components = sub_components_;

  if (auto os = provider::os_info(); os.ok()) {
    info.os_distribution = os->value("Distribution", "");
    info.os_version = os->value("Version", "");
  }
  if (auto up = provider::uptime_seconds(); up.ok()) info.uptime_ns = *up * 1'000'000'000LL;

  ConditionInputs in;
  if (auto load = provider::load_averages(); load.ok()) {
    info.load1 = load->load1;
    info.load5 = load->load5;
    info.load15 = load->load15;
    in.load1 = load->load1;
  }
  if (auto mem = provider::memory_stats(); mem.ok()) {
    info.mem_total = static_cast<int64_t>(mem->total);
    info.mem_free = static_cast<int64_t>(mem->free);
    info.mem_available = static_cast<int64_t>(mem->available);
    info.mem_cached = static_cast<int64_t>(mem->cached);
    in.mem_total = mem->total;
    in.mem_available = mem->available;
  }
  in.disks = disk_readings();
  in.cpu_count = options_.cpu_count ? options_.cpu_count() : 0;

  std::lock_guard<std::mutex> lk(build_mu_);
  if (auto sample = provider::sample_process(); sample.ok()) {
    const double cpu =
        provider::cpu_percent(*sample, previous_sample_ ? &*previous_sample_ : nullptr);
    previous_sample_ = *sample;
    info.process_cpu_percent = cpu;
    info.process_rss_bytes = sample->rss_bytes;
    in.process_cpu_percent = cpu;
    in.process_rss_bytes = sample->rss_bytes;
  }
  info.conditions = evaluate_conditions(in, cfg_.agent.conditions, cfg_.agent.process_conditions,
                                        previous_conditions_, now);
  previous_conditions_ = info.conditions;
  return info;
}

Status Registration::write() {
  if (options_.hostname_source) {
    const std::string before = hostname_.get();
    const std::string now = options_.hostname_source();
    if (!now.empty() && hostname_.set(now))
      logging::info("hostname changed", {{"old_hostname", before}, {"new_hostname", now}});
  }
  const job::AgentInfo info = build(Clock::now());
  auto r = kv_->put(key_, info.to_json().dump());
  if (!r.ok()) return r.error().wrap("failed to register agent");
  last_write_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                    std::memory_order_relaxed);
  return Status::Ok();
}

void Registration::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void Registration::loop() {
  std::unique_lock<std::mutex> lk(loop_mu_);
  while (!stopping_) {
    if (loop_cv_.wait_for(lk, options_.interval, [&] { return stopping_; })) return;
    lk.unlock();
    auto st = write();
    if (st.ok())
      logging::debug("registry heartbeat", {{"machine_id", machine_id_}, {"key", key_}});
    else
      logging::warn("registry heartbeat failed", {{"key", key_}, {"error", st.error().message}});
    lk.lock();
  }
}

void Registration::stop() {
  {
    std::lock_guard<std::mutex> lk(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Registration::deregister() {
  auto st = kv_->del(key_);
  if (st.ok())
    logging::info("agent deregistered", {{"machine_id", machine_id_}, {"key", key_}});
  else
    logging::warn("failed to deregister agent", {{"key", key_}, {"error", st.error().message}});
}

}  // namespace osapi::agent
