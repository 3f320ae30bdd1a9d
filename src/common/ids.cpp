#include "common/ids.h"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <random>

namespace osapi {

namespace {

std::mt19937_64& rng() {
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  return gen;
}

std::string format_uuid(const std::array<uint8_t, 16>& b) {
  char buf[37];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return buf;
}

void fill_random(uint8_t* p, size_t n) {
  auto& g = rng();
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = g();
    for (size_t j = 0; j < 8 && i + j < n; ++j) p[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
}

}  // namespace

std::string uuid_v4() {
  std::array<uint8_t, 16> b{};
  fill_random(b.data(), b.size());
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return format_uuid(b);
}

std::string uuid_v7() {
  // 48-bit ms timestamp, then a 12-bit counter in rand_a so ids within one ms stay ordered.
  static std::mutex mu;
  static uint64_t last_ms = 0;
  static uint16_t counter = 0;
  uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  uint16_t seq;
  {
    std::lock_guard<std::mutex> lk(mu);
    if (ms <= last_ms) {
      ms = last_ms;
      if (++counter > 0x0fff) {
        ++ms;
        counter = 0;
      }
    } else {
      counter = 0;
    }
    last_ms = ms;
    seq = counter;
  }
  std::array<uint8_t, 16> b{};
  fill_random(b.data(), b.size());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  b[6] = static_cast<uint8_t>(0x70 | ((seq >> 8) & 0x0f));
  b[7] = static_cast<uint8_t>(seq & 0xff);
  b[8] = (b[8] & 0x3f) | 0x80;
  return format_uuid(b);
}

std::string random_alnum(size_t n) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(n, 'x');
  auto& g = rng();
  for (auto& c : out) c = kChars[g() % 62];
  return out;
}

std::string random_hex(size_t n_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n_bytes * 2);
  std::string bytes(n_bytes, '\0');
  fill_random(reinterpret_cast<uint8_t*>(bytes.data()), n_bytes);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace osapi
