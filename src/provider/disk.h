// node.disk.get: usage of real filesystems.
#pragma once

#include <sys/statvfs.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "provider/paths.h"

namespace osapi::provider {

struct Mount {
  std::string mount_point;  // octal escapes (\040 …) decoded
  std::string fstype;
  std::string source;
};

// Parses /proc/<pid>/mountinfo text; a line without the "-" separator or with too few fields
// is an error.
Result<std::vector<Mount>> parse_mountinfo(std::string_view text);

// Calls statvfs; returns 0 or an errno value. Injectable for tests.
using StatvfsFn = std::function<int(const std::string& path, struct statvfs& out)>;

// {"disks":[{"Name":"/","Total":…,"Used":…,"Free":…}]}: ext4/xfs/btrfs mounts with a source,
// deduplicated by mount point. EACCES → skipped with a Warn log; another statvfs error →
// "failed to get disk usage for <mnt>: <errno text>".
Result<nlohmann::ordered_json> disk(const Paths& paths = {}, const StatvfsFn& stat = {});
// Only the array (status uses it as "disk_usage").
Result<nlohmann::ordered_json> disk_usage(const Paths& paths = {}, const StatvfsFn& stat = {});

}  // namespace osapi::provider
