// HS256/384/512 JSON Web Tokens: signing and verification over OpenSSL HMAC.
// Tokens are untrusted input: verify() reports every problem as an error, never throws or aborts.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace osapi::auth {

struct Claims {
  // nullopt = claim missing or JSON null (fails the "required" check); [] is a valid empty list.
  std::optional<std::vector<std::string>> roles;
  std::vector<std::string> permissions;  // empty = claim absent (omitted when signing)
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;  // a single-string "aud" is read as a one-element list
  std::optional<int64_t> exp;    // Unix seconds
  std::optional<int64_t> iat;
  std::optional<int64_t> nbf;
};

// base64url without padding.
std::string base64url_encode(std::string_view data);
// Strict decode of unpadded base64url; error "illegal base64 data at input byte N".
Result<std::string> base64url_decode(std::string_view data);

// Claims as the JSON payload, in the order roles, permissions, iss, sub, aud, exp, nbf, iat.
// Empty/absent fields are omitted.
std::string claims_json(const Claims& claims);

// Signs `claims` with `key` (raw bytes). alg is HS256, HS384 or HS512 (anything else signs as
// HS256). Header: {"alg":"<alg>","typ":"JWT"}.
std::string sign(const Claims& claims, std::string_view key, std::string_view alg = "HS256");
// Signs an arbitrary payload (already JSON text): for tests and tools that need odd claims.
std::string sign_payload(std::string_view payload_json, std::string_view key,
                         std::string_view alg = "HS256");

// Verification, first failure wins. `custom_role_names` are the names of
// configured roles (accepted besides admin/write/read). Errors carry kUnauthenticated and the
// Go-compatible reason text (e.g. "token is expired by 1h0m0s").
Result<Claims> verify(std::string_view token, std::string_view key,
                      const std::set<std::string>& custom_role_names = {},
                      Clock::time_point now = Clock::now());

// Claims for `token generate`: iss "osapi", aud both localhost URLs, iat = now,
// exp = now + 3 calendar months (UTC; day overflow rolls forward: Nov 30 -> Mar 2).
Claims generate_claims(const std::vector<std::string>& roles, const std::string& subject,
                       const std::vector<std::string>& permissions,
                       Clock::time_point now = Clock::now());
// now + `months` calendar months in UTC, normalised like Go's AddDate.
int64_t add_months_unix(int64_t unix_seconds, int months);

}  // namespace osapi::auth
