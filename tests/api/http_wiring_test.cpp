// HTTP cross-cutting rows through the real ApiServer: the framework's details are unit-tested
// in tests/http; these prove the API server wires them in.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "health_fixture.h"

using namespace osapi;
using api::testing::ApiFixture;
using json = nlohmann::json;

namespace {

bool is_alnum32(const std::string* s) {
  if (!s || s->size() != 32) return false;
  for (char c : *s)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

void allow_localhost_3001(config::Config& c) {
  c.controller.api.cors_allow_origins = {"http://localhost:3001"};
}

}  // namespace

TEST(ApiHttpWiring, RQ1_FreshRequestIdOnEveryResponse) {
  ApiFixture f;
  EXPECT_TRUE(is_alnum32(f.get("/api/health").header("X-Request-Id")));
  EXPECT_TRUE(is_alnum32(f.get("/api/nope").header("X-Request-Id")));
  EXPECT_TRUE(is_alnum32(f.get("/api/health/status").header("X-Request-Id")));
}

TEST(ApiHttpWiring, RQ2_IncomingRequestIdIsEchoedOn404And401) {
  ApiFixture f;
  for (const char* path : {"/api/health", "/api/nope", "/api/health/status"}) {
    auto r = f.call("GET", path, "", {{"X-Request-Id", "abc-123"}});
    ASSERT_NE(r.header("X-Request-Id"), nullptr) << path;
    EXPECT_EQ(*r.header("X-Request-Id"), "abc-123") << path;
  }
  EXPECT_EQ(f.call("GET", "/api/health/status", "", {{"X-Request-Id", "abc-123"}}).status, 401);
}

TEST(ApiHttpWiring, RQ3_UnknownPathIs404) {
  ApiFixture f;
  for (const char* path : {"/api/nope", "/nope"}) {
    auto r = f.get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(json::parse(r.body), json({{"message", "Not Found"}})) << path;
  }
  EXPECT_EQ(f.get("/api/health/").status, 404);  // trailing slash is another path
  // The old, unprefixed surface is gone.
  for (const char* path : {"/health", "/node/hostname", "/job"})
    EXPECT_EQ(f.get(path, ApiFixture::admin()).status, 404) << path;
}

TEST(ApiHttpWiring, RQ4_UnroutedMethodIs405WithAllow) {
  ApiFixture f;
  auto r = f.call("DELETE", "/api/agent");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(json::parse(r.body), json({{"message", "Method Not Allowed"}}));
  ASSERT_NE(r.header("Allow"), nullptr);
  EXPECT_NE(r.header("Allow")->find("GET"), std::string::npos);
}

TEST(ApiHttpWiring, RQ5_BodyOverOneMebibyteIs413BeforeAuth) {
  ApiFixture f;
  auto r = f.call("POST", "/api/node/_any/command/exec", "", {{"Content-Type", "application/json"}},
                  std::string(2 << 20, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json::parse(r.body), json({{"message", "Request Entity Too Large"}}));
}

TEST(ApiHttpWiring, RQ7_CorsDisabledByDefault) {
  ApiFixture f;
  auto r = f.call("GET", "/api/health", "", {{"Origin", "http://x"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), nullptr);
  EXPECT_EQ(r.header("Vary"), nullptr);
  EXPECT_EQ(f.call("OPTIONS", "/api/agent", "", {{"Origin", "http://x"}}).status, 405);
}

TEST(ApiHttpWiring, RQ8_AllowedOriginIsEchoed) {
  ApiFixture f(allow_localhost_3001);
  auto r = f.call("GET", "/api/health", "", {{"Origin", "http://localhost:3001"}});
  EXPECT_EQ(r.status, 200);
  ASSERT_NE(r.header("Access-Control-Allow-Origin"), nullptr);
  EXPECT_EQ(*r.header("Access-Control-Allow-Origin"), "http://localhost:3001");
  ASSERT_NE(r.header("Vary"), nullptr);
  EXPECT_EQ(*r.header("Vary"), "Origin");
}

TEST(ApiHttpWiring, RQ9_OtherOriginGetsNoCorsButIsServed) {
  ApiFixture f(allow_localhost_3001);
  auto r = f.call("GET", "/api/health", "", {{"Origin", "http://evil"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), nullptr);
  EXPECT_EQ(json::parse(r.body), json({{"status", "ok"}}));
}

TEST(ApiHttpWiring, RQ10_PreflightNeedsNoAuth) {
  ApiFixture f(allow_localhost_3001);
  auto r = f.call("OPTIONS", "/api/health/status", "",
                  {{"Origin", "http://localhost:3001"},
                   {"Access-Control-Request-Method", "GET"},
                   {"Access-Control-Request-Headers", "authorization"}});
  EXPECT_EQ(r.status, 204);
  ASSERT_NE(r.header("Access-Control-Allow-Methods"), nullptr);
  EXPECT_NE(r.header("Access-Control-Allow-Methods")->find("GET"), std::string::npos);
  ASSERT_NE(r.header("Access-Control-Allow-Headers"), nullptr);
  EXPECT_EQ(*r.header("Access-Control-Allow-Headers"), "authorization");
  EXPECT_TRUE(r.body.empty());
}

TEST(ApiHttpWiring, RQ11_JsonWithCharsetIsAccepted) {
  ApiFixture f;
  // The body is decoded (so validation answers); any other media type is refused first.
  auto r = f.call("POST", "/api/node/_any/network/ping", ApiFixture::admin(),
                  {{"Content-Type", "application/json; charset=utf-8"}}, R"({"address":""})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("'Address' failed on the 'required' tag"), std::string::npos) << r.body;
  r = f.call("POST", "/api/node/_any/network/ping", ApiFixture::admin(),
             {{"Content-Type", "text/plain"}}, R"({"address":""})");
  EXPECT_EQ(r.status, 415) << r.body;
}
