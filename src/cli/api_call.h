// Shared request helpers of the `osapi client …` commands (spec/cli.md §4, §6): one HTTP call
// to the API, the one-line error of a 4xx/5xx answer, raw JSON output and broadcast failures.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace osapi::cli {

struct Reply {
  int status = 0;
  std::string body;
  nlohmann::ordered_json doc;  // parsed body (null when not JSON)
};

// One request to the API (Authorization when `auth` and a token is configured; Content-Type
// application/json when `body` is non-empty). Transport failure → CommandError
// "cannot reach API at <url>: …".
Reply call(Context& ctx, const std::string& method, const std::string& path, bool auth,
           const std::string& body = "");

// `<text>` of spec/cli.md §4: error, else message, else the first 200 chars of the body;
// newlines become "; ".
std::string error_text(const Reply& r);

// Throws CommandError "API returned <code> <reason>: <text>"; with --json a JSON body is first
// printed to stdout.
[[noreturn]] void api_error(Context& ctx, const Reply& r);

// The raw body with a trailing newline (the --json output of a 2xx answer).
void print_json_body(const Reply& r);

// Percent-encodes a query value (':' kept, so label targets stay readable).
std::string url_encode(const std::string& s);

// j[key] when j is an object and the value is a string, else "".
std::string str(const nlohmann::ordered_json& j, const char* key);

// Items of a broadcast result carrying "error".
int failed_items(const nlohmann::ordered_json& results);

// 0 when no item failed; else throws CommandError "<n> of <m> hosts failed" (spec/cli.md §4).
int finish_broadcast(const nlohmann::ordered_json& results);

}  // namespace osapi::cli
