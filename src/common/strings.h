// Small string helpers shared by every layer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace osapi {

std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string trim(std::string_view s);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// Replace every char outside [A-Za-z0-9_] with '_' (subjects, consumer names, registry keys).
std::string sanitize_subject_token(std::string_view s);
// Replace every char outside [A-Za-z0-9_-] with '_' (KV event/response keys).
std::string sanitize_kv_token(std::string_view s);
// True when every char is in [A-Za-z0-9_-] and s is non-empty.
bool is_label_token(std::string_view s);
// Parses a decimal signed integer; false on any junk or overflow.
bool parse_int64(std::string_view s, long long& out);
// JSON string escaping (quote, backslash, \n \r \t, other control chars as \u00XX; bytes
// >= 0x20 unchanged): appended to `out` without quotes, or returned with quotes.
void append_json_escaped(std::string& out, std::string_view s);
std::string json_quote(std::string_view s);

}  // namespace osapi
