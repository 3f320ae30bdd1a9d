// node.os.get: distribution and version.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "provider/paths.h"

namespace osapi::provider {

// KEY=VALUE lines of os-release; quotes stripped, comments and junk lines ignored.
std::map<std::string, std::string> parse_os_release(std::string_view text);
// {"Distribution":"debian","Version":"12.7"}: ID; Version = debian_version on Debian, else
// VERSION_ID.
Result<nlohmann::ordered_json> os_info(const Paths& paths = {});

}  // namespace osapi::provider
