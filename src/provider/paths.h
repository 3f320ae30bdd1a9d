// Where providers read the OS from. Tests point these at fixture trees in a temp dir.
#pragma once

#include <string>

namespace osapi::provider {

struct Paths {
  std::string proc_root = "/proc";  // uptime, loadavg, meminfo, self/mountinfo
  std::string etc_root = "/etc";    // os-release, debian_version
};

}  // namespace osapi::provider
