#include "http/request.h"

#include "common/strings.h"

namespace osapi::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

void set_target(Request& req, std::string_view target) {
  req.target = std::string(target);
  const auto q = target.find('?');
  req.path = std::string(target.substr(0, q));
  req.raw_query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
  req.query.clear();
  std::string_view rest = req.raw_query;
  // A fragment is never sent by conforming clients; drop it if one is.
  if (auto h = rest.find('#'); h != std::string_view::npos) rest = rest.substr(0, h);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
    req.query.emplace(std::move(key), std::move(value));  // emplace keeps the first value
  }
}

std::string client_ip(const Request& req) {
  if (const auto* xff = req.header("X-Forwarded-For")) {
    const auto comma = xff->find(',');
    std::string first = trim(std::string_view(*xff).substr(0, comma));
    if (!first.empty()) return first;
  }
  if (const auto* xri = req.header("X-Real-IP")) {
    std::string v = trim(*xri);
    if (!v.empty()) return v;
  }
  return req.peer_address;
}

}  // namespace osapi::http
