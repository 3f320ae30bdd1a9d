#include "provider/process_metrics.h"

#include <unistd.h>

#include <charconv>
#include <vector>

#include "provider/file_util.h"

namespace osapi::provider {

namespace {

bool to_u64(std::string_view s, uint64_t& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
    const size_t begin = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\n') ++i;
    if (i > begin) out.push_back(s.substr(begin, i - begin));
  }
  return out;
}

}  // namespace

Result<StatTicks> parse_proc_stat(std::string_view text) {
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos)
    return Error(ErrorCode::kInternal, "malformed process stat: no command name");
  // After "pid (comm)": state is field 3; utime 14, stime 15, starttime 22 (1-based).
  const auto f = fields(text.substr(close + 1));
  constexpr size_t kUtime = 14 - 3, kStime = 15 - 3, kStart = 22 - 3;
  uint64_t utime = 0, stime = 0, start = 0;
  if (f.size() <= kStart || !to_u64(f[kUtime], utime) || !to_u64(f[kStime], stime) ||
      !to_u64(f[kStart], start))
    return Error(ErrorCode::kInternal, "malformed process stat: bad time fields");
  return StatTicks{utime + stime, start};
}

Result<ProcessSample> sample_process(const Paths& paths, const std::string& pid) {
  const std::string dir = paths.proc_root + "/" + pid;
  auto stat = read_small_file(dir + "/stat");
  if (!stat.ok()) return stat.error();
  auto ticks = parse_proc_stat(*stat);
  if (!ticks.ok()) return ticks.error();
  auto statm = read_small_file(dir + "/statm");
  if (!statm.ok()) return statm.error();
  const auto m = fields(*statm);
  uint64_t resident_pages = 0;
  if (m.size() < 2 || !to_u64(m[1], resident_pages))
    return Error(ErrorCode::kInternal, "malformed " + dir + "/statm");

  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  ProcessSample s;
  s.cpu_seconds = static_cast<double>(ticks->cpu_ticks) / hz;
  s.rss_bytes = static_cast<int64_t>(static_cast<double>(resident_pages) * page);
  auto up = read_small_file(paths.proc_root + "/uptime");
  if (up.ok()) {
    const auto u = fields(*up);
    double boot_seconds = 0;
    if (!u.empty()) {
      const auto [ptr, ec] = std::from_chars(u[0].data(), u[0].data() + u[0].size(), boot_seconds);
      (void)ptr;
      if (ec == std::errc())
        s.age_seconds = boot_seconds - static_cast<double>(ticks->start_ticks) / hz;
    }
  }
  if (s.age_seconds < 0) s.age_seconds = 0;
  return s;
}

double cpu_percent(const ProcessSample& current, const ProcessSample* previous) {
  const double cpu = previous ? current.cpu_seconds - previous->cpu_seconds : current.cpu_seconds;
  const double wall = previous ? current.age_seconds - previous->age_seconds : current.age_seconds;
  if (wall <= 0 || cpu < 0) return 0;
  return cpu / wall * 100.0;
}

}  // namespace osapi::provider
