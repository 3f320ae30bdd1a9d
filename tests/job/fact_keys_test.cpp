#include "job/fact_keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace osapi::job;

TEST(FactKeys, SixBuiltinsInOrderWithDescriptions) {
  std::vector<std::string> keys;
  for (const auto& k : builtin_fact_keys()) {
    keys.emplace_back(k.key);
    EXPECT_FALSE(k.description.empty()) << k.key;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"interface.primary", "hostname", "arch", "kernel",
                                            "fqdn", "containerized"}));
}

TEST(FactKeys, KeysResponse) {
  const auto j = fact_keys_json();
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 1u);
  const auto& keys = j.at("keys");
  ASSERT_TRUE(keys.is_array());
  ASSERT_EQ(keys.size(), 6u);
  const auto builtins = builtin_fact_keys();
  for (size_t i = 0; i < keys.size(); ++i) {
    std::vector<std::string> fields;
    for (const auto& [name, value] : keys[i].items()) fields.push_back(name);
    EXPECT_EQ(fields, (std::vector<std::string>{"key", "description", "builtin"}));
    EXPECT_EQ(keys[i]["key"], std::string(builtins[i].key));
    EXPECT_EQ(keys[i]["description"], std::string(builtins[i].description));
    EXPECT_EQ(keys[i]["builtin"], true);
  }
  EXPECT_EQ(keys[0]["key"], "interface.primary");
}

TEST(FactKeys, FactReference) {
  for (const char* ok :
       {"@fact.interface.primary", "@fact.hostname", "@fact.arch", "@fact.kernel", "@fact.fqdn",
        "@fact.containerized", "@fact.custom.x", "@fact.custom.rack.position"}) {
    EXPECT_TRUE(is_fact_reference(ok)) << ok;
  }
  for (const char* bad : {"", "@fact.", "@fact.os", "@fact.custom.", "@fact.custom",
                          "@fact.HOSTNAME", "fact.hostname", "@facts.hostname", " @fact.hostname",
                          "@fact.hostname ", "@fact.interface", "x@fact.hostname"}) {
    EXPECT_FALSE(is_fact_reference(bad)) << bad;
  }
  EXPECT_TRUE(is_known_fact_key("kernel"));
  EXPECT_TRUE(is_known_fact_key("custom.a"));
  EXPECT_FALSE(is_known_fact_key("custom."));
  EXPECT_FALSE(is_known_fact_key("@fact.kernel"));
}

TEST(FactKeys, AlphanumOrFact) {
  EXPECT_TRUE(is_alphanum_or_fact("eth0"));
  EXPECT_TRUE(is_alphanum_or_fact("ENS3"));
  EXPECT_TRUE(is_alphanum_or_fact("0"));
  EXPECT_TRUE(is_alphanum_or_fact("@fact.interface.primary"));
  EXPECT_TRUE(is_alphanum_or_fact("@fact.custom.nic"));
  EXPECT_FALSE(is_alphanum_or_fact(""));
  EXPECT_FALSE(is_alphanum_or_fact("eth0.100"));
  EXPECT_FALSE(is_alphanum_or_fact("br-lan"));
  EXPECT_FALSE(is_alphanum_or_fact("eth 0"));
  EXPECT_FALSE(is_alphanum_or_fact("ethé"));
  EXPECT_FALSE(is_alphanum_or_fact("@fact.unknown"));
  EXPECT_FALSE(is_alphanum_or_fact(std::string_view("eth0\0", 5)));
}

TEST(FactKeys, IpOrFact) {
  EXPECT_TRUE(is_ip_or_fact("192.168.0.1"));
  EXPECT_TRUE(is_ip_or_fact("0.0.0.0"));
  EXPECT_TRUE(is_ip_or_fact("::1"));
  EXPECT_TRUE(is_ip_or_fact("2001:db8::1"));
  EXPECT_TRUE(is_ip_or_fact("::ffff:10.0.0.1"));
  EXPECT_TRUE(is_ip_or_fact("@fact.fqdn"));
  EXPECT_FALSE(is_ip_or_fact(""));
  EXPECT_FALSE(is_ip_or_fact("256.1.1.1"));
  EXPECT_FALSE(is_ip_or_fact("1.2.3"));
  EXPECT_FALSE(is_ip_or_fact("10.0.0.1/24"));
  EXPECT_FALSE(is_ip_or_fact("fe80::1%eth0"));
  EXPECT_FALSE(is_ip_or_fact("example.com"));
  EXPECT_FALSE(is_ip_or_fact("@fact.nope"));
  EXPECT_FALSE(is_ip_or_fact(std::string_view("10.0.0.1\0x", 10)));
}
