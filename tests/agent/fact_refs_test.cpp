#include "agent/fact_refs.h"

#include <gtest/gtest.h>

using namespace osapi;
using namespace osapi::agent;

namespace {

FactValues sample() {
  FactValues f;
  f.collected = true;
  f.primary_interface = "eth0";
  f.hostname = "web-01";
  f.arch = "amd64";
  f.kernel = "6.1.0-18-amd64";
  f.fqdn = "web-01.example.com";
  f.containerized = true;
  f.custom = {{"rack", "r12"}, {"empty", ""}};
  return f;
}

std::string resolve(const std::string& s, const FactValues& f = sample()) {
  auto r = resolve_fact_refs_in_string(s, f);
  return r.ok() ? *r : "ERROR: " + r.error().message;
}

}  // namespace

TEST(FactRefs, EveryBuiltinKey) {
  EXPECT_EQ(resolve("@fact.interface.primary"), "eth0");
  EXPECT_EQ(resolve("@fact.hostname"), "web-01");
  EXPECT_EQ(resolve("@fact.arch"), "amd64");
  EXPECT_EQ(resolve("@fact.kernel"), "6.1.0-18-amd64");
  EXPECT_EQ(resolve("@fact.fqdn"), "web-01.example.com");
  EXPECT_EQ(resolve("@fact.containerized"), "true");
  FactValues f = sample();
  f.containerized = false;
  EXPECT_EQ(resolve("@fact.containerized", f), "false");
  EXPECT_EQ(resolve("@fact.custom.rack"), "r12");
}

TEST(FactRefs, ReferenceEndsAtDelimiters) {
  EXPECT_EQ(resolve("ping -I @fact.interface.primary 8.8.8.8"), "ping -I eth0 8.8.8.8");
  EXPECT_EQ(resolve("\"@fact.hostname\""), "\"web-01\"");
  EXPECT_EQ(resolve("'@fact.arch'"), "'amd64'");
  EXPECT_EQ(resolve("@fact.hostname,@fact.arch;@fact.kernel"), "web-01,amd64;6.1.0-18-amd64");
  EXPECT_EQ(resolve("host=@fact.hostname"), "host=web-01");
  // Anything else belongs to the reference, so this names an unknown key.
  EXPECT_EQ(resolve("@fact.hostname/x"),
            "ERROR: unresolvable fact reference \"@fact.hostname/x\": unknown fact key");
  EXPECT_EQ(resolve("no references here"), "no references here");
  EXPECT_EQ(resolve(""), "");
}

TEST(FactRefs, ReplacedTextIsNotScannedAgain) {
  FactValues f = sample();
  f.hostname = "@fact.arch";
  EXPECT_EQ(resolve("@fact.hostname @fact.kernel", f), "@fact.arch 6.1.0-18-amd64");
}

TEST(FactRefs, Errors) {
  EXPECT_EQ(resolve("x @fact.os y"),
            "ERROR: unresolvable fact reference \"@fact.os\": unknown fact key");
  EXPECT_EQ(resolve("@fact."), "ERROR: unresolvable fact reference \"@fact.\": unknown fact key");
  EXPECT_EQ(resolve("@fact.custom."),
            "ERROR: unresolvable fact reference \"@fact.custom.\": unknown fact key");
  EXPECT_EQ(resolve("@fact.custom.nope"),
            "ERROR: unresolvable fact reference \"@fact.custom.nope\": custom fact not set");
  EXPECT_EQ(resolve("@fact.custom.empty"),
            "ERROR: unresolvable fact reference \"@fact.custom.empty\": fact has no value");
  FactValues f = sample();
  f.primary_interface.clear();
  EXPECT_EQ(resolve("@fact.interface.primary", f),
            "ERROR: unresolvable fact reference \"@fact.interface.primary\": fact has no value");
  FactValues none;
  EXPECT_EQ(resolve("@fact.hostname", none),
            "ERROR: unresolvable fact reference \"@fact.hostname\": facts not collected");
  EXPECT_EQ(resolve("@fact.containerized", none),
            "ERROR: unresolvable fact reference \"@fact.containerized\": facts not collected");
  // Without references, missing facts do not matter.
  EXPECT_EQ(resolve("plain", none), "plain");
}

TEST(FactRefs, WalksObjectsAndArraysNotKeys) {
  const json data = json::parse(R"({
    "interface": "@fact.interface.primary",
    "@fact.hostname": "key stays",
    "nested": {"args": ["-I", "@fact.interface.primary", 3, true, null, {"h": "@fact.fqdn"}]},
    "count": 2
  })");
  auto r = resolve_fact_refs(data, sample());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"interface":"eth0","@fact.hostname":"key stays",)"
                       R"("nested":{"args":["-I","eth0",3,true,null,{"h":"web-01.example.com"}]},)"
                       R"("count":2})");
}

TEST(FactRefs, FirstFailureInDocumentOrderIsReported) {
  const json data = json::parse(R"({"a": ["ok", "@fact.first"], "b": "@fact.second"})");
  auto r = resolve_fact_refs(data, sample());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unresolvable fact reference \"@fact.first\": unknown fact key");
}

TEST(FactRefs, DataWithoutReferencesIsUnchanged) {
  const json data = json::parse(R"({"@fact.key":"only in a key","n":[1,"two",{"x":null}]})");
  EXPECT_FALSE(contains_fact_refs(data));
  auto r = resolve_fact_refs(data, FactValues{});  // facts not needed
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, data);
  EXPECT_TRUE(contains_fact_refs(json::parse(R"({"n":[1,{"x":"a@fact.b"}]})")));
  EXPECT_TRUE(contains_fact_refs(json("@fact.arch")));
  EXPECT_FALSE(contains_fact_refs(json(nullptr)));
}

TEST(FactRefs, ScalarAndDeepData) {
  auto scalar = resolve_fact_refs(json("@fact.arch"), sample());
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(*scalar, json("amd64"));
  // Deep nesting is walked without recursion. 512 levels: as deep as the HTTP decoder lets a
  // body be; nlohmann's own copy and destructor recurse, which overflows the larger ASan
  // frames at 10,000.
  json deep = json::array();
  json* cur = &deep;
  for (int i = 0; i < 512; ++i) {
    cur->push_back(json::array());
    cur = &cur->back();
  }
  cur->push_back("@fact.kernel");
  auto r = resolve_fact_refs(deep, sample());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const json* inner = &*r;
  while (inner->is_array()) inner = &(*inner)[0];
  EXPECT_EQ(*inner, json("6.1.0-18-amd64"));
}

TEST(FactRefs, InPlace) {
  json data = json::parse(R"({"dns":["@fact.hostname"]})");
  ASSERT_TRUE(resolve_fact_refs_in_place(data, sample()).ok());
  EXPECT_EQ(data.dump(), R"({"dns":["web-01"]})");
}

TEST(FactRefs, ValuesFromProviderFacts) {
  provider::Facts facts;
  facts.primary_interface = "ens3";
  facts.architecture = "arm64";
  facts.kernel_version = "6.1.0";
  facts.fqdn = "db.example.com";
  facts.containerized = true;
  const FactValues v = fact_values_from(facts, "db");
  EXPECT_TRUE(v.collected);
  EXPECT_EQ(resolve("@fact.interface.primary @fact.arch @fact.kernel @fact.fqdn @fact.hostname "
                    "@fact.containerized",
                    v),
            "ens3 arm64 6.1.0 db.example.com db true");
}
