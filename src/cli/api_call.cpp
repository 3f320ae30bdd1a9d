#include "cli/api_call.h"

#include <cctype>
#include <cstdio>

#include "common/strings.h"
#include "http/client.h"
#include "http/response.h"

namespace osapi::cli {

std::string url_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Reply call(Context& ctx, const std::string& method, const std::string& path, bool auth,
           const std::string& body) {
  http::ClientRequest req;
  req.method = method;
  req.url = ctx.cfg.controller.client.url + path;
  if (auth && !ctx.cfg.controller.client.bearer_token.empty())
    req.headers.emplace_back("Authorization", "Bearer " + ctx.cfg.controller.client.bearer_token);
  if (!body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  auto r = http::request(req);
  if (!r.ok())
    throw CommandError{"cannot reach API at " + ctx.cfg.controller.client.url + ": " +
                       r.error().message};
  Reply rep;
  rep.status = r->status;
  rep.body = r->body;
  rep.doc = Json::parse(rep.body, nullptr, false);
  if (rep.doc.is_discarded()) rep.doc = nullptr;
  return rep;
}

Reply call_ok(Context& ctx, const std::string& method, const std::string& path, bool auth,
              const std::string& body) {
  Reply r = call(ctx, method, path, auth, body);
  if (r.status < 200 || r.status >= 300) api_error(ctx, r);
  return r;
}

std::string error_text(const Reply& r) {
  std::string t = str(r.doc, "error");
  if (t.empty()) t = str(r.doc, "message");
  if (t.empty()) t = r.body.substr(0, 200);
  t = trim(t);
  std::string out;
  for (char c : t) {
    if (c == '\n')
      out += "; ";
    else if (c != '\r')
      out += c;
  }
  return out;
}

void api_error(Context& ctx, const Reply& r) {
  if (ctx.json && !r.doc.is_null()) std::printf("%s\n", trim(r.body).c_str());
  std::string msg =
      "API returned " + std::to_string(r.status) + " " + std::string(http::reason_phrase(r.status));
  const std::string t = error_text(r);
  if (!t.empty()) msg += ": " + t;
  throw CommandError{msg};
}

void print_json_body(const Reply& r) {
  std::string b = r.body;
  if (b.empty() || b.back() != '\n') b += "\n";
  std::fwrite(b.data(), 1, b.size(), stdout);
}

void show(Context& ctx, const Reply& r, const View& view) {
  if (ctx.json) {
    print_json_body(r);
  } else {
    const std::string text = view(r.doc, ctx.style);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  std::fflush(stdout);
}

int show_results(Context& ctx, const Reply& r, const View& view) {
  show(ctx, r, view);
  return finish_results(results_of(r.doc));
}

int finish_results(const Json& results) {
  const size_t failed = failed_items(results);
  if (failed > 0)
    throw CommandError{std::to_string(failed) + " of " + std::to_string(results.size()) +
                       " hosts failed"};
  return 0;
}

}  // namespace osapi::cli
