#include "common/strings.h"

#include <gtest/gtest.h>

using namespace osapi;

TEST(Sanitize, SubjectTokens) {
  EXPECT_EQ(sanitize_subject_token("server01"), "server01");
  EXPECT_EQ(sanitize_subject_token("web-server-01"), "web_server_01");
  EXPECT_EQ(sanitize_subject_token("server.example.com"), "server_example_com");
  EXPECT_EQ(sanitize_subject_token("Johns-MacBook-Pro-2.local"), "Johns_MacBook_Pro_2_local");
  EXPECT_EQ(sanitize_subject_token("test@host#123.domain!"), "test_host_123_domain_");
  EXPECT_EQ(sanitize_subject_token("a_b"), "a_b");
  EXPECT_EQ(sanitize_kv_token("web-01.example.com"), "web-01_example_com");
}

TEST(Strings, SplitJoinTrim) {
  EXPECT_EQ(split("a.b.c", '.').size(), 3u);
  EXPECT_EQ(join({"a", "b"}, ", "), "a, b");
  EXPECT_EQ(trim("  x \n"), "x");
  EXPECT_TRUE(iequals("Traceparent", "traceparent"));
  long long v;
  EXPECT_TRUE(parse_int64("42", v));
  EXPECT_EQ(v, 42);
  EXPECT_FALSE(parse_int64("4x", v));
  EXPECT_FALSE(parse_int64("", v));
}

TEST(Strings, JsonEscaping) {
  EXPECT_EQ(json_quote("plain"), "\"plain\"");
  EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quote("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
  EXPECT_EQ(json_quote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(json_quote("héllo"), "\"héllo\"");  // UTF-8 bytes pass through
  std::string out = "x=";
  append_json_escaped(out, "\"");
  EXPECT_EQ(out, "x=\\\"");
}
