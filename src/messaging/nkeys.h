// NKey helpers: cnats needs the public key next to the seed file
// (natsOptions_SetNKeyFromSeed), but 3.4.1 cannot derive it, so we do (ed25519 via OpenSSL).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace osapi::messaging {

// Public user key ("U…") for a user seed ("SU…"). Errors on a malformed or non-user seed.
Result<std::string> nkey_public_from_seed(std::string_view seed);

// Encodes 32 raw ed25519 seed bytes as a user seed ("SU…"); used to make test identities.
std::string nkey_encode_user_seed(const std::array<uint8_t, 32>& raw);

// A fresh random user seed.
Result<std::string> nkey_generate_user_seed();

}  // namespace osapi::messaging
