#include "job/fact_keys.h"

#include <arpa/inet.h>

#include <array>
#include <string>

namespace osapi::job {

namespace {

constexpr std::array<FactKey, 6> kBuiltinFactKeys{{
    {"interface.primary", "Network interface that carries the default route"},
    {"hostname", "Hostname the agent registered with"},
    {"arch", "CPU architecture, e.g. amd64 or arm64"},
    {"kernel", "Running kernel release"},
    {"fqdn", "Fully qualified domain name of the host"},
    {"containerized", "Whether the agent runs inside a container (true or false)"},
}};

}  // namespace

std::span<const FactKey> builtin_fact_keys() {
  return kBuiltinFactKeys;
}

bool is_known_fact_key(std::string_view key) {
  for (const auto& k : kBuiltinFactKeys)
    if (k.key == key) return true;
  return key.size() > kCustomFactPrefix.size() && key.starts_with(kCustomFactPrefix);
}

nlohmann::ordered_json fact_keys_json() {
  auto keys = nlohmann::ordered_json::array();
  for (const auto& k : kBuiltinFactKeys) {
    keys.push_back({{"key", std::string(k.key)},
                    {"description", std::string(k.description)},
                    {"builtin", true}});
  }
  return nlohmann::ordered_json{{"keys", std::move(keys)}};
}

bool is_fact_reference(std::string_view s) {
  return s.starts_with(kFactPrefix) && is_known_fact_key(s.substr(kFactPrefix.size()));
}

bool is_alphanum_or_fact(std::string_view s) {
  if (s.empty()) return false;
  bool alnum = true;
  for (char c : s) {
    const bool ascii_alnum =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ascii_alnum) {
      alnum = false;
      break;
    }
  }
  return alnum || is_fact_reference(s);
}

bool is_ip_or_fact(std::string_view s) {
  // inet_pton needs a terminated string; an embedded NUL must not make a prefix valid.
  if (s.find('\0') == std::string_view::npos) {
    const std::string text(s);
    unsigned char buf[16];
    if (::inet_pton(AF_INET, text.c_str(), buf) == 1 ||
        ::inet_pton(AF_INET6, text.c_str(), buf) == 1)
      return true;
  }
  return is_fact_reference(s);
}

}  // namespace osapi::job
