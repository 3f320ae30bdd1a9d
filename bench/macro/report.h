// Renders bench/results/latest.md from the micro (Google Benchmark JSON) and macro results:
// every figure beside its baseline, the ratio and the target it is held to.
#pragma once

#include <string>

namespace osapi::bench {

std::string render_report(const std::string& micro_json_path, const std::string& macro_json_path);

}  // namespace osapi::bench
