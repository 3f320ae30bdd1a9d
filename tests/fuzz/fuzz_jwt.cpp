// JWT parsing (auth::verify). The raw input is verified as a token; it is also signed as a
// claims payload and verified, so claim parsing sees arbitrary JSON behind a valid signature.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kKey = "fuzz-signing-key-0123456789abcdef";
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto raw = osapi::auth::verify(in, kKey, {"ops"});
  (void)raw;
  auto signed_payload = osapi::auth::verify(osapi::auth::sign_payload(in, kKey), kKey, {"ops"});
  if (signed_payload.ok()) (void)osapi::auth::claims_json(*signed_payload);
  auto b64 = osapi::auth::base64url_decode(in);
  (void)b64;
  return 0;
}
