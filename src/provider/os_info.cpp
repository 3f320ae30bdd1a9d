#include "provider/os_info.h"

#include "common/strings.h"
#include "provider/file_util.h"

namespace osapi::provider {

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const auto& raw : split(text, '\n')) {
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string value = trim(std::string_view(line).substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[trim(std::string_view(line).substr(0, eq))] = value;
  }
  return out;
}

Result<nlohmann::ordered_json> os_info(const Paths& paths) {
  auto text = read_small_file(paths.etc_root + "/os-release");
  if (!text.ok()) return text.error();
  auto fields = parse_os_release(*text);
  const std::string id = fields["ID"];
  std::string version = fields["VERSION_ID"];
  if (id == "debian") {
    // Debian's VERSION_ID is only the major ("12"); gopsutil reports the point release.
    auto debian = read_small_file(paths.etc_root + "/debian_version");
    if (debian.ok() && !trim(*debian).empty()) version = trim(*debian);
  }
  nlohmann::ordered_json out;
  out["Distribution"] = to_valid_utf8(id);
  out["Version"] = to_valid_utf8(version);
  return out;
}

}  // namespace osapi::provider
