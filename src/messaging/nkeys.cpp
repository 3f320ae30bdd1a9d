#include "messaging/nkeys.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <vector>

namespace osapi::messaging {
namespace {

constexpr uint8_t kPrefixSeed = 18 << 3;  // 'S'
constexpr uint8_t kPrefixUser = 20 << 3;  // 'U'
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

uint16_t crc16(const uint8_t* data, size_t len) {  // CRC-16/XMODEM, as the nkeys library
  uint16_t crc = 0;
  for (size_t i = 0; i < len; ++i) {
    crc ^= static_cast<uint16_t>(data[i]) << 8;
    for (int b = 0; b < 8; ++b) crc = (crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1;
  }
  return crc;
}

std::string base32_encode(const std::vector<uint8_t>& in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : in) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

bool base32_decode(std::string_view in, std::vector<uint8_t>& out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= '2' && c <= '7')
      v = c - '2' + 26;
    else
      return false;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  return true;
}

std::string encode_with_crc(std::vector<uint8_t> raw) {
  const uint16_t crc = crc16(raw.data(), raw.size());
  raw.push_back(static_cast<uint8_t>(crc & 0xff));
  raw.push_back(static_cast<uint8_t>(crc >> 8));
  return base32_encode(raw);
}

}  // namespace

Result<std::string> nkey_public_from_seed(std::string_view seed) {
  std::vector<uint8_t> raw;
  if (!base32_decode(seed, raw) || raw.size() != 2 + 32 + 2)
    return Error(ErrorCode::kInvalidArgument, "invalid nkey seed encoding");
  const uint16_t want = static_cast<uint16_t>(raw[34] | (raw[35] << 8));
  if (crc16(raw.data(), 34) != want)
    return Error(ErrorCode::kInvalidArgument, "invalid nkey seed checksum");
  const uint8_t b1 = raw[0] & 248;
  const uint8_t b2 = static_cast<uint8_t>(((raw[0] & 7) << 5) | ((raw[1] & 248) >> 3));
  if (b1 != kPrefixSeed) return Error(ErrorCode::kInvalidArgument, "nkey is not a seed");
  if (b2 != kPrefixUser) return Error(ErrorCode::kInvalidArgument, "nkey seed is not a user seed");

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, raw.data() + 2, 32), EVP_PKEY_free);
  if (!key) return Error(ErrorCode::kInternal, "ed25519 key from nkey seed failed");
  std::vector<uint8_t> pub(1 + 32);
  size_t len = 32;
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data() + 1, &len) != 1 || len != 32)
    return Error(ErrorCode::kInternal, "ed25519 public key derivation failed");
  pub[0] = kPrefixUser;
  return encode_with_crc(std::move(pub));
}

std::string nkey_encode_user_seed(const std::array<uint8_t, 32>& raw) {
  std::vector<uint8_t> v;
  v.push_back(static_cast<uint8_t>(kPrefixSeed | (kPrefixUser >> 5)));
  v.push_back(static_cast<uint8_t>((kPrefixUser & 31) << 3));
  v.insert(v.end(), raw.begin(), raw.end());
  return encode_with_crc(std::move(v));
}

Result<std::string> nkey_generate_user_seed() {
  std::array<uint8_t, 32> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    return Error(ErrorCode::kInternal, "random bytes for nkey seed failed");
  return nkey_encode_user_seed(raw);
}

}  // namespace osapi::messaging
