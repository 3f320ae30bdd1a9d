#include "auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cmath>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>

#include "auth/permissions.h"

namespace osapi::auth {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Error unauthenticated(std::string msg) {
  return Error(ErrorCode::kUnauthenticated, std::move(msg));
}

const EVP_MD* digest_for(std::string_view alg) {
  if (alg == "HS256") return EVP_sha256();
  if (alg == "HS384") return EVP_sha384();
  if (alg == "HS512") return EVP_sha512();
  return nullptr;
}

// Raw HMAC bytes; empty on an OpenSSL failure (which then never matches a signature).
std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  static const unsigned char kEmpty = 0;
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  const auto* k = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  const auto* d = data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  if (key.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return {};
  if (HMAC(md, k, static_cast<int>(key.size()), d, data.size(), out.data(), &len) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

// Go's encoding/json names for a JSON value's type in unmarshal errors.
const char* json_type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    case json::value_t::null:
      return "null";
    default:
      return "number";
  }
}

Error type_error(const json& v, const char* field, const char* go_type) {
  return unauthenticated(std::string("json: cannot unmarshal ") + json_type_name(v) +
                         " into Go struct field CustomClaims." + field + " of type " + go_type);
}

// Reads a list-of-strings claim; JSON null leaves `out` unset.
Status read_string_list(const json& v, const char* field,
                        std::optional<std::vector<std::string>>& out) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_array()) return type_error(v, field, "[]string");
  std::vector<std::string> list;
  list.reserve(v.size());
  for (const auto& item : v) {
    if (item.is_null()) {
      list.emplace_back();
      continue;
    }
    if (!item.is_string()) return type_error(item, field, "string");
    list.push_back(item.get<std::string>());
  }
  out = std::move(list);
  return Status::Ok();
}

Status read_string(const json& v, const char* field, std::string& out) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_string()) return type_error(v, field, "string");
  out = v.get<std::string>();
  return Status::Ok();
}

// NumericDate: integer or float seconds; clamped to int64 so absurd values cannot overflow.
Status read_numeric_date(const json& v, const char* field, std::optional<int64_t>& out) {
  if (v.is_null()) return Status::Ok();
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    out = u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
              ? std::numeric_limits<int64_t>::max()
              : static_cast<int64_t>(u);
    return Status::Ok();
  }
  if (v.is_number_integer()) {
    out = v.get<int64_t>();
    return Status::Ok();
  }
  if (v.is_number_float()) {
    const double d = std::floor(v.get<double>());
    if (!(d < 9.2e18)) {
      out = std::numeric_limits<int64_t>::max();
    } else if (!(d > -9.2e18)) {
      out = std::numeric_limits<int64_t>::min();
    } else {
      out = static_cast<int64_t>(d);
    }
    return Status::Ok();
  }
  return type_error(v, field, "*jwt.NumericDate");
}

Result<Claims> parse_claims(const json& payload) {
  if (!payload.is_object()) {
    return unauthenticated(std::string("json: cannot unmarshal ") + json_type_name(payload) +
                           " into Go value of type CustomClaims");
  }
  Claims c;
  std::optional<std::vector<std::string>> perms;
  Status st;
  for (const auto& [key, v] : payload.items()) {
    if (key == "roles") {
      c.roles.reset();
      st = read_string_list(v, "roles", c.roles);
    } else if (key == "permissions") {
      st = read_string_list(v, "permissions", perms);
    } else if (key == "iss") {
      st = read_string(v, "iss", c.iss);
    } else if (key == "sub") {
      st = read_string(v, "sub", c.sub);
    } else if (key == "aud") {
      if (v.is_string()) {
        c.aud = {v.get<std::string>()};
      } else {
        std::optional<std::vector<std::string>> aud;
        st = read_string_list(v, "aud", aud);
        if (aud) c.aud = std::move(*aud);
      }
    } else if (key == "exp") {
      st = read_numeric_date(v, "exp", c.exp);
    } else if (key == "iat") {
      st = read_numeric_date(v, "iat", c.iat);
    } else if (key == "nbf") {
      st = read_numeric_date(v, "nbf", c.nbf);
    }
    if (!st.ok()) return st.error();
  }
  if (perms) c.permissions = std::move(*perms);
  return c;
}

Result<json> decode_json_segment(std::string_view segment, const char* what) {
  auto raw = base64url_decode(segment);
  if (!raw.ok()) return raw.error();
  json parsed = json::parse(raw.value(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return unauthenticated(std::string("invalid character in token ") + what + " (not JSON)");
  }
  return parsed;
}

std::string sign_input(std::string_view header_json, std::string_view payload_json,
                       std::string_view key, std::string_view alg) {
  const EVP_MD* md = digest_for(alg);
  if (md == nullptr) md = EVP_sha256();
  std::string input = base64url_encode(header_json);
  input += '.';
  input += base64url_encode(payload_json);
  const std::string sig = hmac(md, key, input);
  input += '.';
  input += base64url_encode(sig);
  return input;
}

}  // namespace

std::string base64url_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  size_t i = 0;
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(data[k]); };
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const size_t rest = data.size() - i;
  if (rest == 1) {
    const uint32_t n = byte(i) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (rest == 2) {
    const uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view data) {
  const auto illegal = [](size_t pos) {
    return unauthenticated("illegal base64 data at input byte " + std::to_string(pos));
  };
  if (data.size() % 4 == 1) return illegal(data.size() - 1);
  std::string out;
  out.reserve(data.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    uint32_t v;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<uint32_t>(c - '0' + 52);
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return illegal(i);
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string claims_json(const Claims& claims) {
  ordered_json j = ordered_json::object();
  if (claims.roles) j["roles"] = *claims.roles;
  if (!claims.permissions.empty()) j["permissions"] = claims.permissions;
  if (!claims.iss.empty()) j["iss"] = claims.iss;
  if (!claims.sub.empty()) j["sub"] = claims.sub;
  if (!claims.aud.empty()) j["aud"] = claims.aud;
  if (claims.exp) j["exp"] = *claims.exp;
  if (claims.nbf) j["nbf"] = *claims.nbf;
  if (claims.iat) j["iat"] = *claims.iat;
  // Invalid UTF-8 (e.g. a subject from the command line) is replaced, as Go's encoder does.
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string sign_payload(std::string_view payload_json, std::string_view key,
                         std::string_view alg) {
  const std::string a = digest_for(alg) != nullptr ? std::string(alg) : std::string("HS256");
  const std::string header = R"({"alg":")" + a + R"(","typ":"JWT"})";
  return sign_input(header, payload_json, key, a);
}

std::string sign(const Claims& claims, std::string_view key, std::string_view alg) {
  return sign_payload(claims_json(claims), key, alg);
}

Result<Claims> verify(std::string_view token, std::string_view key,
                      const std::set<std::string>& custom_role_names, Clock::time_point now) {
  // 1. Three segments, base64url JSON header and payload.
  const size_t d1 = token.find('.');
  const size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos ||
      token.find('.', d2 + 1) != std::string_view::npos) {
    return unauthenticated("token contains an invalid number of segments");
  }
  const std::string_view header_b64 = token.substr(0, d1);
  const std::string_view payload_b64 = token.substr(d1 + 1, d2 - d1 - 1);
  const std::string_view sig_b64 = token.substr(d2 + 1);

  auto header = decode_json_segment(header_b64, "header");
  if (!header.ok()) return header.error();
  if (!header->is_object()) {
    return unauthenticated(std::string("json: cannot unmarshal ") + json_type_name(*header) +
                           " into Go value of type map[string]interface {}");
  }
  auto payload = decode_json_segment(payload_b64, "claims");
  if (!payload.ok()) return payload.error();
  auto claims = parse_claims(*payload);
  if (!claims.ok()) return claims.error();

  // 2. Algorithm: HMAC family only.
  const auto alg_it = header->find("alg");
  if (alg_it == header->end() || !alg_it->is_string()) {
    return unauthenticated("signing method (alg) is unspecified.");
  }
  const std::string alg = alg_it->get<std::string>();
  const EVP_MD* md = digest_for(alg);
  if (md == nullptr) return unauthenticated("unexpected signing method: " + alg);

  // 3. Signature, compared in constant time.
  auto sig = base64url_decode(sig_b64);
  const std::string expected = hmac(md, key, token.substr(0, d2));
  if (!sig.ok() || expected.empty() || sig->size() != expected.size() ||
      CRYPTO_memcmp(sig->data(), expected.data(), expected.size()) != 0) {
    return unauthenticated("signature is invalid");
  }

  // 4-6. Time claims, no leeway. Compared at nanosecond precision like Go's time.Time.
  const int64_t now_ns = unix_nano(now);
  const auto to_ns = [](int64_t s) -> int64_t {
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 1'000'000'000;
    if (s > kMax) return std::numeric_limits<int64_t>::max();
    if (s < -kMax) return std::numeric_limits<int64_t>::min();
    return s * 1'000'000'000;
  };
  if (claims->exp && now_ns >= to_ns(*claims->exp)) {
    const int64_t exp_ns = to_ns(*claims->exp);
    // Saturate instead of overflowing for absurd (very negative) exp values.
    const int64_t delta = exp_ns < 0 && now_ns > std::numeric_limits<int64_t>::max() + exp_ns
                              ? std::numeric_limits<int64_t>::max()
                              : now_ns - exp_ns;
    return unauthenticated("token is expired by " + format_go_duration(Nanos(delta)));
  }
  if (claims->iat && now_ns < to_ns(*claims->iat)) {
    return unauthenticated("token used before issued");
  }
  if (claims->nbf && now_ns < to_ns(*claims->nbf)) {
    return unauthenticated("token is not valid yet");
  }

  // 7-8. Roles: required (non-null), each one built-in or configured.
  if (!claims->roles) {
    return unauthenticated(
        "Key: 'CustomClaims.Roles' Error:Field validation for 'Roles' failed on the 'required' "
        "tag");
  }
  const auto& roles = *claims->roles;
  for (size_t i = 0; i < roles.size(); ++i) {
    if (!is_builtin_role(roles[i]) && custom_role_names.count(roles[i]) == 0) {
      const std::string idx = "Roles[" + std::to_string(i) + "]";
      return unauthenticated("Key: 'CustomClaims." + idx + "' Error:Field validation for '" + idx +
                             "' failed on the 'oneof' tag");
    }
  }
  return claims;
}

int64_t add_months_unix(int64_t unix_seconds, int months) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return unix_seconds;
  tm.tm_mon += months;
  // timegm normalises out-of-range days: Feb 30 becomes Mar 2 (Go's AddDate does the same).
  return static_cast<int64_t>(timegm(&tm));
}

Claims generate_claims(const std::vector<std::string>& roles, const std::string& subject,
                       const std::vector<std::string>& permissions, Clock::time_point now) {
  Claims c;
  c.roles = roles;
  c.permissions = permissions;
  c.iss = "osapi";
  c.sub = subject;
  c.aud = {"https://localhost", "http://localhost"};
  const int64_t iat =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  c.iat = iat;
  c.exp = add_months_unix(iat, 3);
  return c;
}

}  // namespace osapi::auth
