#include "common/ids.h"

#include <gtest/gtest.h>

using namespace osapi;

TEST(Ids, UuidShapes) {
  const auto v4 = uuid_v4();
  EXPECT_TRUE(is_uuid(v4));
  EXPECT_EQ(v4[14], '4');
  std::string prev = uuid_v7();
  EXPECT_EQ(prev[14], '7');
  for (int i = 0; i < 1000; ++i) {
    auto next = uuid_v7();
    EXPECT_LT(prev, next);
    prev = next;
  }
  EXPECT_FALSE(is_uuid("not-a-uuid"));
  EXPECT_EQ(random_alnum(32).size(), 32u);
}
