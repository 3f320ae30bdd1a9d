// JWT verify (HS256, an admin token as `token generate` makes it) beside its floor: the bare
// OpenSSL HMAC-SHA256 over the same signing input, which verify must compute anyway.
#include <benchmark/benchmark.h>

#include <cstring>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/jwt.h"

namespace osapi::bench {
namespace {

constexpr const char* kKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string admin_token() {
  return auth::sign(auth::generate_claims({"admin"}, "bench@example", {}), kKey);
}

void BM_JwtVerify_Ours(benchmark::State& state) {
  const std::string token = admin_token();
  for (auto _ : state) {
    auto claims = auth::verify(token, kKey);
    if (!claims.ok()) {
      state.SkipWithError(claims.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(claims);
  }
}

void BM_JwtVerify_HmacFloor(benchmark::State& state) {
  const std::string token = admin_token();
  const std::string signing_input = token.substr(0, token.rfind('.'));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), kKey, static_cast<int>(std::strlen(kKey)),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
         &len);
    benchmark::DoNotOptimize(mac);
  }
}

}  // namespace

BENCHMARK(BM_JwtVerify_Ours);
BENCHMARK(BM_JwtVerify_HmacFloor);

}  // namespace osapi::bench
