#include "provider/disk.h"

#include <cerrno>
#include <set>

#include "common/strings.h"
#include "logging/logger.h"
#include "provider/file_util.h"

namespace osapi::provider {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto is_oct = [](char c) { return c >= '0' && c <= '7'; };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && is_oct(s[i + 1]) && is_oct(s[i + 2]) &&
        is_oct(s[i + 3])) {
      const int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      if (v < 256) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

int default_statvfs(const std::string& path, struct statvfs& out) {
  return ::statvfs(path.c_str(), &out) == 0 ? 0 : errno;
}

bool is_real_fstype(const std::string& t) {
  return t == "ext4" || t == "xfs" || t == "btrfs";
}

uint64_t mul_saturating(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

}  // namespace

Result<std::vector<Mount>> parse_mountinfo(std::string_view text) {
  std::vector<Mount> mounts;
  size_t line_no = 0;
  for (const auto& line : split(text, '\n')) {
    ++line_no;
    if (trim(line).empty()) continue;
    const auto fields = split(line, ' ');
    size_t sep = 0;
    for (size_t i = 6; i < fields.size(); ++i) {
      if (fields[i] == "-") {
        sep = i;
        break;
      }
    }
    if (sep == 0 || sep + 2 >= fields.size()) {
      return Error(ErrorCode::kInternal,
                   "malformed mountinfo line " + std::to_string(line_no) + ": " + line);
    }
    mounts.push_back(
        Mount{unescape_octal(fields[4]), fields[sep + 1], unescape_octal(fields[sep + 2])});
  }
  return mounts;
}

Result<nlohmann::ordered_json> disk_usage(const Paths& paths, const StatvfsFn& stat) {
  auto text = read_small_file(paths.proc_root + "/self/mountinfo");
  if (!text.ok()) return text.error();
  auto mounts = parse_mountinfo(*text);
  if (!mounts.ok()) return mounts.error();

  nlohmann::ordered_json disks = nlohmann::ordered_json::array();
  std::set<std::string> seen;
  for (const auto& m : *mounts) {
    if (!is_real_fstype(m.fstype) || m.source.empty()) continue;
    if (!seen.insert(m.mount_point).second) continue;
    struct statvfs st {};
    const int err = stat ? stat(m.mount_point, st) : default_statvfs(m.mount_point, st);
    if (err == EACCES) {
      logging::warn("permission denied getting disk usage, skipping",
                    {{"mountpoint", m.mount_point}, {"error", errno_text(err)}});
      continue;
    }
    if (err != 0) {
      return Error(ErrorCode::kInternal,
                   "failed to get disk usage for " + m.mount_point + ": " + errno_text(err));
    }
    const uint64_t frsize = st.f_frsize;
    const uint64_t blocks = st.f_blocks;
    const uint64_t used_blocks = blocks >= st.f_bfree ? blocks - st.f_bfree : 0;
    nlohmann::ordered_json d;
    d["Name"] = to_valid_utf8(m.mount_point);
    d["Total"] = mul_saturating(blocks, frsize);
    d["Used"] = mul_saturating(used_blocks, frsize);
    d["Free"] = mul_saturating(st.f_bavail, frsize);
    disks.push_back(std::move(d));
  }
  return disks;
}

Result<nlohmann::ordered_json> disk(const Paths& paths, const StatvfsFn& stat) {
  auto disks = disk_usage(paths, stat);
  if (!disks.ok()) return disks.error();
  nlohmann::ordered_json out;
  out["disks"] = std::move(*disks);
  return out;
}

}  // namespace osapi::provider
