// The curl client against our own server.
#include "http/client.h"

#include <gtest/gtest.h>

// Designated initializers that leave fields at their defaults are the point here.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <thread>

#include "http_test_util.h"

using namespace osapi;
using namespace osapi::http;
using namespace osapi::http::testing;
using namespace std::chrono_literals;

namespace {

Response echo(Request& req) {
  nlohmann::ordered_json j;
  j["method"] = req.method;
  j["path"] = req.path;
  j["query"] = req.raw_query;
  j["body"] = req.body;
  j["peer_port"] = req.peer_port;
  const auto* ct = req.header("Content-Type");
  j["content_type"] = ct ? *ct : "";
  const auto* h = req.header("X-Test");
  j["x_test"] = h ? *h : "";
  Response r = Response::json(200, j);
  r.add_header("X-Reply", "yes");
  return r;
}

}  // namespace

TEST(Client, RoundTrip) {
  TestServer ts;
  for (const char* m : {"GET", "POST", "PUT", "DELETE"}) ts.router.add(m, "/echo", echo);
  ts.router.add("DELETE", "/gone", [](Request&) { return Response::no_content(); });
  ts.start();

  auto r = request({.method = "POST",
                    .url = ts.url("/echo?x=1"),
                    .headers = {{"Content-Type", "application/json"}, {"X-Test", "hello"}},
                    .body = "{\"k\":\"v\"}"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  ASSERT_TRUE(r->header("x-reply"));
  EXPECT_EQ(*r->header("X-Reply"), "yes");
  EXPECT_TRUE(r->header("X-Request-Id"));
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["path"], "/echo");
  EXPECT_EQ(j["query"], "x=1");
  EXPECT_EQ(j["body"], "{\"k\":\"v\"}");
  EXPECT_EQ(j["content_type"], "application/json");
  EXPECT_EQ(j["x_test"], "hello");

  for (const char* m : {"GET", "PUT", "DELETE"}) {
    auto rr = request({.method = m, .url = ts.url("/echo")});
    ASSERT_TRUE(rr.ok());
    EXPECT_EQ(nlohmann::json::parse(rr->body)["method"], m);
  }
  auto gone = request({.method = "DELETE", .url = ts.url("/gone")});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->status, 204);
  EXPECT_TRUE(gone->body.empty());

  auto nf = request({.url = ts.url("/nope")});
  ASSERT_TRUE(nf.ok());
  EXPECT_EQ(nf->status, 404);
  EXPECT_EQ(nf->reason, "Not Found");
}

TEST(Client, ReusesConnectionPerThread) {
  TestServer ts;
  ts.router.add("GET", "/echo", echo);
  ts.start();
  auto a = request({.url = ts.url("/echo")});
  auto b = request({.url = ts.url("/echo")});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(nlohmann::json::parse(a->body)["peer_port"],
            nlohmann::json::parse(b->body)["peer_port"]);
}

TEST(Client, TransportErrorIsUnavailable) {
  uint16_t closed_port;
  {
    TestServer ts;
    ts.router.add("GET", "/echo", echo);
    ts.start();
    closed_port = ts.port();
    ts.server->stop();
  }
  auto r = request(
      {.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/echo", .connect_timeout = 2s});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(r.error().message.empty());
}

TEST(Client, OverallTimeout) {
  TestServer ts;
  ts.router.add("GET", "/slow", [](Request&) {
    std::this_thread::sleep_for(1500ms);
    return Response::no_content();
  });
  ts.start();
  auto r = request({.url = ts.url("/slow"), .timeout = 200ms});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}
