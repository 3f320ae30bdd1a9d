// @fact. references: the built-in fact keys and the controller-side validators for request
// fields that accept either a literal value or a reference resolved later on the agent.
#pragma once

#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

namespace osapi::job {

inline constexpr std::string_view kFactPrefix = "@fact.";
inline constexpr std::string_view kCustomFactPrefix = "custom.";

struct FactKey {
  std::string_view key;
  std::string_view description;
};

// interface.primary, hostname, arch, kernel, fqdn, containerized (in that order).
std::span<const FactKey> builtin_fact_keys();

// True for one of the built-in keys or custom.<non-empty> (the key without "@fact.").
bool is_known_fact_key(std::string_view key);

// GET /api/facts/keys: {"keys":[{"key":…,"description":…,"builtin":true},…]}
nlohmann::ordered_json fact_keys_json();

// The whole string is "@fact." followed by a known key.
bool is_fact_reference(std::string_view s);
// Non-empty ASCII letters and digits only, or a fact reference.
bool is_alphanum_or_fact(std::string_view s);
// An IPv4 or IPv6 address (inet_pton), or a fact reference.
bool is_ip_or_fact(std::string_view s);

}  // namespace osapi::job
