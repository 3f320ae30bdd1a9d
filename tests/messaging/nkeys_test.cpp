#include <gtest/gtest.h>

#include "messaging/nkeys.h"

namespace osapi::messaging {
namespace {

TEST(NkeysTest, SeedRoundTripShape) {
  std::array<uint8_t, 32> raw{};
  const std::string seed = nkey_encode_user_seed(raw);
  EXPECT_EQ(seed.substr(0, 2), "SU");
  EXPECT_EQ(seed.size(), 58u);
  auto pub = nkey_public_from_seed(seed);
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(pub->front(), 'U');
  EXPECT_EQ(pub->size(), 56u);
  // Deterministic.
  EXPECT_EQ(*pub, *nkey_public_from_seed(seed));
}

TEST(NkeysTest, KnownVectorFromNatsDocs) {
  auto pub = nkey_public_from_seed("SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY");
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(*pub, "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4");
}

TEST(NkeysTest, RejectsBadSeeds) {
  EXPECT_FALSE(nkey_public_from_seed("").ok());
  EXPECT_FALSE(nkey_public_from_seed("SUxyz!").ok());
  std::string seed = nkey_encode_user_seed({});
  seed[10] = seed[10] == 'A' ? 'B' : 'A';  // checksum no longer matches
  EXPECT_FALSE(nkey_public_from_seed(seed).ok());
}

}  // namespace
}  // namespace osapi::messaging
