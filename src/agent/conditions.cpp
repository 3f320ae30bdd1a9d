#include "agent/conditions.h"

#include <cstdio>

namespace osapi::agent {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

template <typename... Args>
std::string format(const char* fmt, Args... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

class Evaluator {
 public:
  Evaluator(const std::vector<job::Condition>& previous, Clock::time_point now)
      : previous_(previous), now_(rfc3339_nano(now)) {}

  void add(const char* type, bool status, std::string reason) {
    job::Condition c;
    c.type = type;
    c.status = status;
    if (status) c.reason = std::move(reason);
    c.last_transition_time = now_;
    for (const auto& p : previous_)
      if (p.type == c.type && p.status == c.status && !p.last_transition_time.empty())
        c.last_transition_time = p.last_transition_time;
    out_.push_back(std::move(c));
  }
  std::vector<job::Condition> take() { return std::move(out_); }

 private:
  const std::vector<job::Condition>& previous_;
  const std::string now_;
  std::vector<job::Condition> out_;
};

}  // namespace

std::vector<job::Condition> evaluate_conditions(const ConditionInputs& in,
                                                const config::Conditions& host,
                                                const config::ProcessConditions& process,
                                                const std::vector<job::Condition>& previous,
                                                Clock::time_point now) {
  Evaluator e(previous, now);

  if (in.mem_total && *in.mem_total > 0 && in.mem_available) {
    const uint64_t total = *in.mem_total;
    const uint64_t used = total > *in.mem_available ? total - *in.mem_available : 0;
    const double pct = static_cast<double>(used) / static_cast<double>(total) * 100.0;
    e.add(kMemoryPressure, pct > host.memory_pressure_threshold,
          format("memory %.0f%% used (%.1f/%.1f GB)", pct, static_cast<double>(used) / kGiB,
                 static_cast<double>(total) / kGiB));
  } else {
    e.add(kMemoryPressure, false, "");
  }

  if (in.load1 && in.cpu_count > 0) {
    const double threshold = in.cpu_count * host.high_load_multiplier;
    e.add(kHighLoad, *in.load1 > threshold,
          format("load %.2f, threshold %.2f for %d CPUs", *in.load1, threshold, in.cpu_count));
  } else {
    e.add(kHighLoad, false, "");
  }

  bool disk_pressure = false;
  std::string disk_reason;
  for (const auto& d : in.disks) {
    if (d.total == 0) continue;
    const double pct = static_cast<double>(d.used) / static_cast<double>(d.total) * 100.0;
    if (pct > host.disk_pressure_threshold) {
      disk_pressure = true;
      disk_reason = format("%s %.0f%% used (%.1f/%.1f GB)", d.name.c_str(), pct,
                           static_cast<double>(d.used) / kGiB, static_cast<double>(d.total) / kGiB);
      break;
    }
  }
  e.add(kDiskPressure, disk_pressure, disk_reason);

  if (process.memory_pressure_bytes > 0 && in.process_rss_bytes) {
    const auto rss = static_cast<long long>(*in.process_rss_bytes);
    e.add(kProcessMemoryPressure, rss > process.memory_pressure_bytes,
          format("process RSS %lld bytes exceeds threshold %lld bytes", rss,
                 process.memory_pressure_bytes));
  }
  if (process.high_cpu_percent > 0 && in.process_cpu_percent) {
    e.add(kProcessHighCPU, *in.process_cpu_percent > process.high_cpu_percent,
          format("process CPU %.1f%% exceeds threshold %.1f%%", *in.process_cpu_percent,
                 process.high_cpu_percent));
  }
  return e.take();
}

}  // namespace osapi::agent
