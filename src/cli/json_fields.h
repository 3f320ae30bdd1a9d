// Reading fields of API response bodies for display. A body comes from a server we do not
// control: a missing field or one of the wrong type reads as absent, never throws.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/output.h"

namespace osapi::cli {

using Json = nlohmann::ordered_json;

// j[key] when j is an object and the value is a string, else "".
std::string str(const Json& j, const char* key);
// j[key] as a number (integers included), else nullopt.
std::optional<double> number(const Json& j, const char* key);
// j[key] as an integer, else nullopt.
std::optional<long long> integer(const Json& j, const char* key);
std::optional<bool> boolean(const Json& j, const char* key);
// The strings of array j[key] (other elements skipped).
std::vector<std::string> strings(const Json& j, const char* key);
// j[key] when it is an object / an array, else an empty one.
Json object(const Json& j, const char* key);
Json array(const Json& j, const char* key);

// Integer as text, "N/A" when absent.
std::string integer_text(const Json& j, const char* key);
// A label map as "k:v, k:v" sorted by key ("" when empty).
std::string labels_text(const Json& labels);
// Time since an RFC 3339 timestamp as format_age text; "" when absent or unparsable.
std::string age_since(const std::string& rfc3339_text, std::chrono::system_clock::time_point now);

// The `results` array of a node-scoped response (empty when absent).
Json results_of(const Json& body);
// A result item's hostname, status, changed and error, with the command's cells.
ResultRow result_row(const Json& item, std::vector<std::string> cells);
// Result items counted as failed (outcome kFailed).
size_t failed_items(const Json& results);

}  // namespace osapi::cli
