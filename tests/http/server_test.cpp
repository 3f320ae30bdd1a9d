// The server with the standard middleware over real sockets on 127.0.0.1.
#include <gtest/gtest.h>

// Designated initializers that leave fields at their defaults are the point here.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "http/binding.h"
#include "http/client.h"
#include "http_test_util.h"

using namespace osapi;
using namespace osapi::http;
using namespace osapi::http::testing;
using namespace std::chrono_literals;

namespace {

bool is_alnum32(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

Response ok_handler(Request& req) {
  nlohmann::ordered_json j;
  j["route"] = req.route;
  j["peer_port"] = req.peer_port;
  return Response::json(200, j);
}

void add_api_like_routes(Router& r) {
  r.add("GET", "/node", ok_handler);
  r.add("GET", "/job", ok_handler);
  r.add("POST", "/job", [](Request& req) {
    auto body = decode_json_body(req);
    if (!body) return std::move(body).response();
    return Response::json(201, *body);
  });
  r.add("GET", "/job/status", ok_handler);
  r.add("GET", "/job/{id}", [](Request& req) {
    auto id = path_uuid(req, "id");
    if (!id) return std::move(id).response();
    return Response::json(200, nlohmann::ordered_json{{"id", *id}});
  });
  r.add("GET", "/boom", [](Request&) -> Response { throw std::runtime_error("kaboom"); });
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { add_api_like_routes(ts.router); }
  TestServer ts;
};

}  // namespace

TEST_F(ServerTest, RoutingOverTheWire) {
  ts.start();
  auto r = raw_request(ts.port(), get("/job/status"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["route"], "/job/status");
  EXPECT_EQ(*r->header("Content-Type"), "application/json");
  EXPECT_EQ(r->body.back(), '\n');

  r = raw_request(ts.port(), get("/job/550e8400-e29b-41d4-a716-446655440000"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  r = raw_request(ts.port(), get("/job/not-a-uuid"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("Invalid format for parameter id"), std::string::npos);

  for (const char* path : {"/nope", "/node/", "/Node", "/job/status/"}) {
    r = raw_request(ts.port(), get(path));
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->body, "{\"message\":\"Not Found\"}\n");
    EXPECT_TRUE(r->header("X-Request-Id"));
  }

  r = raw_request(ts.port(), "DELETE /node HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->body, "{\"message\":\"Method Not Allowed\"}\n");
  ASSERT_TRUE(r->header("Allow"));
  EXPECT_NE(r->header("Allow")->find("GET"), std::string::npos);
  EXPECT_TRUE(r->header("X-Request-Id"));
}

TEST_F(ServerTest, RequestIdEchoGenerateReplace) {
  ts.start();
  auto r = raw_request(ts.port(), get("/node"));
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->header("X-Request-Id"));
  EXPECT_TRUE(is_alnum32(*r->header("X-Request-Id"))) << *r->header("X-Request-Id");

  r = raw_request(ts.port(), get("/node", "X-Request-Id: abc-123\r\n"));
  EXPECT_EQ(*r->header("X-Request-Id"), "abc-123");
  EXPECT_EQ(r->count("X-Request-Id"), 1u);

  r = raw_request(ts.port(), get("/nope", "X-Request-Id: abc-123\r\n"));
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(*r->header("X-Request-Id"), "abc-123");

  r = raw_request(ts.port(), get("/node", "X-Request-Id: " + std::string(129, 'x') + "\r\n"));
  EXPECT_TRUE(is_alnum32(*r->header("X-Request-Id")));

  r = raw_request(ts.port(), get("/node", "X-Request-Id: caf\xc3\xa9\r\n"));
  EXPECT_TRUE(is_alnum32(*r->header("X-Request-Id")));
}

TEST_F(ServerTest, ExceptionGuardAnswers500WithRequestId) {
  ts.start();
  auto r = raw_request(ts.port(), get("/boom", "X-Request-Id: rid-1\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "{\"message\":\"Internal Server Error\"}\n");
  EXPECT_EQ(*r->header("X-Request-Id"), "rid-1");
  // The server keeps serving.
  EXPECT_EQ(raw_request(ts.port(), get("/node"))->status, 200);
}

TEST_F(ServerTest, CorsDisabled) {  // RQ-7
  ts.start();
  auto r = raw_request(ts.port(), get("/node", "Origin: http://x\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->header("Access-Control-Allow-Origin"));
  EXPECT_FALSE(r->header("Vary"));
  r = raw_request(ts.port(), "OPTIONS /node HTTP/1.1\r\nHost: x\r\nOrigin: http://x\r\n\r\n");
  EXPECT_EQ(r->status, 405);
  r = raw_request(ts.port(), "OPTIONS /nope HTTP/1.1\r\nHost: x\r\nOrigin: http://x\r\n\r\n");
  EXPECT_EQ(r->status, 404);
}

TEST_F(ServerTest, CorsEnabled) {  // RQ-8..RQ-10
  ts.start({.cors_allow_origins = {"http://localhost:3001"}});
  auto r = raw_request(ts.port(), get("/node", "Origin: http://localhost:3001\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(*r->header("Access-Control-Allow-Origin"), "http://localhost:3001");
  EXPECT_EQ(*r->header("Vary"), "Origin");

  r = raw_request(ts.port(), get("/node", "Origin: http://evil\r\n"));
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->header("Access-Control-Allow-Origin"));
  EXPECT_EQ(*r->header("Vary"), "Origin");

  r = raw_request(ts.port(),
                  "OPTIONS /job HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:3001\r\n"
                  "Access-Control-Request-Method: POST\r\n"
                  "Access-Control-Request-Headers: authorization\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->body.empty());
  EXPECT_FALSE(r->header("Content-Type"));
  EXPECT_EQ(*r->header("Access-Control-Allow-Origin"), "http://localhost:3001");
  const std::string methods = *r->header("Access-Control-Allow-Methods");
  EXPECT_NE(methods.find("GET"), std::string::npos);
  EXPECT_NE(methods.find("POST"), std::string::npos);
  EXPECT_EQ(*r->header("Access-Control-Allow-Headers"), "authorization");
  EXPECT_EQ(*r->header("Vary"),
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  EXPECT_FALSE(r->header("Access-Control-Allow-Credentials"));
  EXPECT_FALSE(r->header("Access-Control-Max-Age"));
  EXPECT_TRUE(r->header("X-Request-Id"));

  r = raw_request(ts.port(),
                  "OPTIONS /unknown HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:3001\r\n\r\n");
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(*r->header("Access-Control-Allow-Methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");

  r = raw_request(ts.port(), "OPTIONS /job HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->header("Access-Control-Allow-Origin"));
  EXPECT_FALSE(r->header("Access-Control-Allow-Methods"));

  r = raw_request(ts.port(), "OPTIONS /job HTTP/1.1\r\nHost: x\r\nOrigin: http://evil\r\n\r\n");
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->header("Access-Control-Allow-Origin"));
}

TEST_F(ServerTest, CorsWildcards) {
  ts.start({.cors_allow_origins = {"https://*.example.com"}});
  auto r = raw_request(ts.port(), get("/node", "Origin: https://api.example.com\r\n"));
  EXPECT_EQ(*r->header("Access-Control-Allow-Origin"), "https://api.example.com");
  r = raw_request(ts.port(), get("/node", "Origin: https://example.org\r\n"));
  EXPECT_FALSE(r->header("Access-Control-Allow-Origin"));

  TestServer star;
  add_api_like_routes(star.router);
  star.start({.cors_allow_origins = {"*"}});
  r = raw_request(star.port(), get("/node", "Origin: http://whatever:9\r\n"));
  EXPECT_EQ(*r->header("Access-Control-Allow-Origin"), "*");
}

TEST_F(ServerTest, BodyOverLimitIs413) {  // RQ-5
  ts.start();
  const std::string big(2 << 20, 'a');
  // Content-Length announced: answered right after the header, body never buffered.
  {
    RawConnection c(ts.port());
    ASSERT_TRUE(
        c.send("POST /job HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "X-Request-Id: big-1\r\nContent-Length: " +
               std::to_string(big.size()) + "\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->body, "{\"message\":\"Request Entity Too Large\"}\n");
    EXPECT_EQ(*r->header("X-Request-Id"), "big-1");
    EXPECT_TRUE(r->closed);
  }
  // Same through curl, which sends the whole body.
  auto resp = request({.method = "POST",
                       .url = ts.url("/job"),
                       .headers = {{"Content-Type", "application/json"}},
                       .body = big});
  ASSERT_TRUE(resp.ok()) << resp.error().message;
  EXPECT_EQ(resp->status, 413);
  // Chunked with no length up front.
  {
    RawConnection c(ts.port());
    std::string req =
        "POST /job HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 40; ++i) req += "10000\r\n" + std::string(0x10000, 'a') + "\r\n";
    req += "0\r\n\r\n";
    c.send(req);
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  // Exactly at the limit is fine (then rejected as malformed JSON by the handler).
  auto at_limit = request({.method = "POST",
                           .url = ts.url("/job"),
                           .headers = {{"Content-Type", "application/json"}},
                           .body = std::string(1 << 20, ' ')});
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->status, 400);
}

TEST_F(ServerTest, BodyDecodingErrors) {
  ts.start();
  auto r = request({.method = "POST",
                    .url = ts.url("/job"),
                    .headers = {{"Content-Type", "text/plain"}},
                    .body = "{}"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(r->body, "{\"message\":\"Unsupported Media Type\"}\n");

  r = request({.method = "POST",
               .url = ts.url("/job"),
               .headers = {{"Content-Type", "application/json; charset=utf-8"}},
               .body = "{\"a\":"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  const auto msg = nlohmann::json::parse(r->body)["message"].get<std::string>();
  EXPECT_EQ(msg.rfind("Syntax error: offset=", 0), 0u) << msg;
  EXPECT_NE(msg.find(", error="), std::string::npos);

  r = request({.method = "POST",
               .url = ts.url("/job"),
               .headers = {{"Content-Type", "application/json; charset=utf-8"}},
               .body = "{\"a\":1}"});  // RQ-11
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"a\":1}\n");

  r = request({.method = "POST", .url = ts.url("/job")});  // no body → {}
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{}\n");
}

TEST_F(ServerTest, MalformedHttpIs400AndClose) {
  ts.start();
  for (const char* junk :
       {"GARBAGE\r\n\r\n", "GET / FTP/1.1\r\n\r\n", "GET /node HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST /job HTTP/1.1\r\nContent-Length: abc\r\n\r\n"}) {
    RawConnection c(ts.port());
    c.send(junk);
    auto r = c.read_response();
    ASSERT_TRUE(r) << junk;
    EXPECT_EQ(r->status, 400) << junk;
    EXPECT_TRUE(c.wait_closed()) << junk;
  }
  // Oversized header block.
  auto r = raw_request(ts.port(), get("/node", "X-Big: " + std::string(100000, 'h') + "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  // Still healthy.
  EXPECT_EQ(raw_request(ts.port(), get("/node"))->status, 200);
}

TEST_F(ServerTest, ParserErrorsCarryARequestId) {
  ts.start();
  // Unparsable request lines and headers: 400 with a fresh id.
  for (const char* junk : {"GARBAGE\r\n\r\n", "GET /node HTTP/1.1\r\nBad Header\r\n\r\n",
                           "\x16\x03\x01\x02\x05\x01\x07\x01\xfc\x03\x03\r\n\r\n"}) {
    RawConnection c(ts.port());
    ASSERT_TRUE(c.send(junk));
    auto r = c.read_response();
    ASSERT_TRUE(r) << junk;
    EXPECT_EQ(r->status, 400) << junk;
    ASSERT_NE(r->header("X-Request-Id"), nullptr) << junk;
    EXPECT_TRUE(is_alnum32(*r->header("X-Request-Id"))) << *r->header("X-Request-Id");
    EXPECT_EQ(r->count("X-Request-Id"), 1u);
  }
  // A header block past the limit: 431 with an id (the client's, when it came first).
  {
    RawConnection c(ts.port());
    ASSERT_TRUE(c.send(get("/node", "X-Big: " + std::string(100000, 'h') + "\r\n")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    ASSERT_NE(r->header("X-Request-Id"), nullptr);
    EXPECT_TRUE(is_alnum32(*r->header("X-Request-Id")));
  }
  {
    RawConnection c(ts.port());
    ASSERT_TRUE(c.send(get(
        "/node", "X-Request-Id: big-headers-1\r\nX-Big: " + std::string(100000, 'h') + "\r\n")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    ASSERT_NE(r->header("X-Request-Id"), nullptr);
    EXPECT_FALSE(r->header("X-Request-Id")->empty());
  }
  // A malformed header after a clean id: the id is echoed.
  {
    RawConnection c(ts.port());
    ASSERT_TRUE(c.send("GET /node HTTP/1.1\r\nX-Request-Id: bad-req-7\r\nBad Header\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    ASSERT_NE(r->header("X-Request-Id"), nullptr);
    EXPECT_EQ(*r->header("X-Request-Id"), "bad-req-7");
  }
}

TEST_F(ServerTest, BusyAnswerCarriesARequestId) {
  ts.start({}, {.max_connections = 1});
  RawConnection a(ts.port());
  ASSERT_TRUE(a.send(get("/node")));
  ASSERT_TRUE(a.read_response());
  RawConnection b(ts.port());
  auto r = b.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  ASSERT_NE(r->header("X-Request-Id"), nullptr);
  EXPECT_TRUE(is_alnum32(*r->header("X-Request-Id")));
}

TEST_F(ServerTest, KeepAliveManyRequestsOneConnection) {
  ts.start();
  RawConnection c(ts.port());
  int peer_port = -1;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(c.send(get(i % 2 ? "/node" : "/nope")));
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, i % 2 ? 200 : 404);
    EXPECT_FALSE(r->closed);
    if (i % 2) {
      const int p = nlohmann::json::parse(r->body)["peer_port"];
      if (peer_port < 0) peer_port = p;
      EXPECT_EQ(p, peer_port);
    }
  }
  // Pipelined requests in one write.
  ASSERT_TRUE(c.send(get("/node") + get("/job") + get("/job/status")));
  for (const char* route : {"/node", "/job", "/job/status"}) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(nlohmann::json::parse(r->body)["route"], route);
  }
  // Connection: close is honoured.
  ASSERT_TRUE(c.send(get("/node", "Connection: close\r\n")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->closed);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(ServerTest, ExpectContinue) {
  ts.start();
  RawConnection c(ts.port());
  ASSERT_TRUE(
      c.send("POST /job HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Expect: 100-continue\r\nContent-Length: 7\r\n\r\n"));
  ASSERT_TRUE(c.skip_past("HTTP/1.1 100 Continue\r\n\r\n"));
  ASSERT_TRUE(c.send("{\"a\":2}"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"a\":2}\n");
}

TEST_F(ServerTest, ConcurrentClients) {
  ts.start();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = request({.url = ts.url("/job/status")});
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 16 * 25);
}

TEST_F(ServerTest, IdleConnectionTimesOut) {
  ts.start({}, {.read_timeout = 300ms});
  RawConnection c(ts.port());
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(c.wait_closed(10s));
  // A slow request (headers never finished) is cut too.
  RawConnection slow(ts.port());
  slow.send("GET /node HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(slow.wait_closed(10s));
}

TEST_F(ServerTest, ConnectionCapAnswers503) {
  ts.start({}, {.max_connections = 2});
  RawConnection a(ts.port()), b(ts.port());
  ASSERT_TRUE(a.send(get("/node")));
  ASSERT_TRUE(a.read_response());
  ASSERT_TRUE(b.send(get("/node")));
  ASSERT_TRUE(b.read_response());
  RawConnection c(ts.port());
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(c.wait_closed());
  // Once one closes, a new connection is served.
  b.send(get("/node", "Connection: close\r\n"));
  ASSERT_TRUE(b.read_response());
  ASSERT_TRUE(b.wait_closed());
  for (int i = 0; i < 100 && ts.server->connections() > 1; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(raw_request(ts.port(), get("/node"))->status, 200);
}

TEST_F(ServerTest, BindFailure) {
  ts.start();
  Server second({.address = "127.0.0.1", .port = ts.port()},
                [](Request&) { return Response::no_content(); });
  auto st = second.start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            "failed to listen on :" + std::to_string(ts.port()) + ": Address already in use");
}

TEST(ServerStop, GracefulStopLetsInFlightRequestFinish) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool release = false;
  TestServer ts;
  ts.router.add("GET", "/slow", [&](Request&) {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return Response::json(200, nlohmann::ordered_json{{"done", true}});
  });
  ts.router.add("GET", "/fast", ok_handler);
  ts.start();
  const uint16_t port = ts.port();

  RawConnection idle(port);  // keep-alive connection with nothing in flight
  ASSERT_TRUE(idle.send(get("/fast")));
  ASSERT_TRUE(idle.read_response());

  RawConnection busy(port);
  ASSERT_TRUE(busy.send(get("/slow")));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return entered; }));
  }
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    ts.server->stop(10s);
    stopped = true;
  });
  EXPECT_TRUE(idle.wait_closed(5s));  // idle keep-alive closed promptly
  for (int i = 0; i < 100 && osapi::http::testing::RawConnection(port).connected(); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(RawConnection(port).connected());  // no longer accepting
  EXPECT_FALSE(stopped.load());                   // still waiting for /slow
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  auto r = busy.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"done\":true}\n");
  EXPECT_TRUE(r->closed);
  stopper.join();
  EXPECT_TRUE(stopped.load());
  EXPECT_EQ(ts.server->connections(), 0u);
}

TEST(ServerStop, DeadlineBoundsTheWait) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  TestServer ts;
  ts.router.add("GET", "/stuck", [release](Request&) {
    while (!*release) std::this_thread::sleep_for(5ms);
    return Response::no_content();
  });
  ts.start();
  RawConnection c(ts.port());
  ASSERT_TRUE(c.send(get("/stuck")));
  std::this_thread::sleep_for(100ms);
  ts.server->stop(200ms);  // returns although the handler is still running
  *release = true;
  // The connection was shut down: whatever arrives, it closes.
  EXPECT_TRUE(c.wait_closed(5s));
  // The router must outlive the handler still running on the connection thread.
  for (int i = 0; i < 500 && ts.server->connections() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(ts.server->connections(), 0u);
}
