// One HTTP call from a client command to the controller, and what every command does with
// the answer: the one-line error of a 4xx/5xx, the raw body of --json, and the exit status of a
// per-host result list.
#pragma once

#include <functional>
#include <string>

#include "cli/context.h"
#include "cli/json_fields.h"

namespace osapi::cli {

struct Reply {
  int status = 0;
  std::string body;
  Json doc;  // parsed body (null when not JSON)
};

// One request to `<controller.client.url><path>` (path starts with /api). Authorization is sent
// when `auth` and a token is configured; Content-Type application/json when `body` is
// non-empty. The CLI's client span and traceparent come from http::request. A transport
// failure throws CommandError "cannot reach API at <url>: …".
Reply call(Context& ctx, const std::string& method, const std::string& path, bool auth,
           const std::string& body = "");

// call(), then api_error() unless the answer is 2xx.
Reply call_ok(Context& ctx, const std::string& method, const std::string& path, bool auth,
              const std::string& body = "");

// The error text of an answer: its `error` field, else `message`, else the first 200 bytes of
// the body; newlines become "; ".
std::string error_text(const Reply& r);

// Throws CommandError "API returned <code> <reason>: <text>"; with --json a JSON body is first
// printed to stdout.
[[noreturn]] void api_error(Context& ctx, const Reply& r);

// The raw body with a trailing newline (the --json output of a 2xx answer).
void print_json_body(const Reply& r);

// Percent-encodes a path segment or query value (unreserved characters and ':' kept, so label
// targets such as group:web stay readable; '/' and everything else is encoded).
std::string url_encode(const std::string& s);

using View = std::function<std::string(const Json& body, const Style& style)>;

// The usual end of a command: the raw body with --json, else view(body) on stdout.
void show(Context& ctx, const Reply& r, const View& view);

// show(), then the exit status of the body's per-host results: 0, or CommandError
// "<n> of <m> hosts failed" when some item failed (skipped items are not failures).
int show_results(Context& ctx, const Reply& r, const View& view);

// 0 when no item of `results` failed; else throws the CommandError of show_results.
int finish_results(const Json& results);

}  // namespace osapi::cli
