#include "cli/api_call.h"

#include <cctype>
#include <cstdio>

#include "common/strings.h"
#include "http/client.h"
#include "http/response.h"

namespace osapi::cli {

using json = nlohmann::ordered_json;

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
  rep.doc = json::parse(rep.body, nullptr, false);
  if (rep.doc.is_discarded()) rep.doc = nullptr;
  return rep;
}

std::string error_text(const Reply& r) {
  std::string t;
  if (r.doc.is_object()) {
    if (r.doc.contains("error") && r.doc["error"].is_string())
      t = r.doc["error"].get<std::string>();
    else if (r.doc.contains("message") && r.doc["message"].is_string())
      t = r.doc["message"].get<std::string>();
  }
  if (t.empty()) t = r.body.substr(0, 200);
  t = trim(t);
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\n')
      out += "; ";
    else if (t[i] != '\r')
      out += t[i];
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

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

int failed_items(const json& results) {
  int n = 0;
  for (const auto& r : results)
    if (r.is_object() && r.contains("error")) ++n;
  return n;
}

int finish_broadcast(const json& results) {
  const int failed = failed_items(results);
  if (failed > 0)
    throw CommandError{std::to_string(failed) + " of " + std::to_string(results.size()) +
                       " hosts failed"};
  return 0;
}

}  // namespace osapi::cli
