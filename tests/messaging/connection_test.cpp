// Connection: fail-fast connect errors, auth, core publish/request, reconnects.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "messaging/nats.h"
#include "messaging/nkeys.h"
#include "process.h"

namespace osapi::messaging {
namespace {

using namespace std::chrono_literals;
using osapi::testing::NatsServer;
using osapi::testing::TempDir;

TEST(ConnectionTest, ConnectToClosedPortFailsFastWithClearError) {
  const int port = osapi::testing::free_port();
  ConnectOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(port);
  auto c = Connection::connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(c.error().message.find("cannot connect to NATS at " + o.url + ": "), std::string::npos)
      << c.error().message;
}

TEST(ConnectionTest, UnsupportedAuthIsRejected) {
  ConnectOptions o;
  o.auth_type = "kerberos";
  auto c = Connection::connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("unsupported authentication method"), std::string::npos);
}

TEST(ConnectionTest, ConnectsAndReportsServerInfo) {
  NatsServer server;
  ConnectOptions o;
  o.url = server.url();
  o.name = "messaging-test";
  auto c = Connection::connect(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE((*c)->connected());
  EXPECT_NE((*c)->connected_url().find(std::to_string(server.port())), std::string::npos);
  const std::string v = (*c)->server_version();
  EXPECT_FALSE(v.empty());
  EXPECT_EQ(v.find('.') != std::string::npos, true) << v;
  EXPECT_TRUE((*c)->jetstream_ready(2s).ok());
  (*c)->close();
  EXPECT_FALSE((*c)->connected());
}

TEST(ConnectionTest, UserPassAuth) {
  NatsServer server("authorization { users = [ {user: \"alice\", password: \"s3cr\\\"et\"} ] }");
  ConnectOptions o;
  o.url = server.url();
  o.auth_type = "user_pass";
  o.username = "alice";
  o.password = "s3cr\"et";
  auto ok = Connection::connect(o);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE((*ok)->jetstream_ready(2s).ok());

  o.password = "wrong";
  auto bad = Connection::connect(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("cannot connect to NATS at"), std::string::npos);

  ConnectOptions anon;
  anon.url = server.url();
  EXPECT_FALSE(Connection::connect(anon).ok());
}

TEST(ConnectionTest, NkeyAuth) {
  auto seed = nkey_generate_user_seed();
  ASSERT_TRUE(seed.ok());
  auto pub = nkey_public_from_seed(*seed);
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  NatsServer server("authorization { users = [ {nkey: \"" + *pub + "\"} ] }");
  TempDir dir;
  ConnectOptions o;
  o.url = server.url();
  o.auth_type = "nkey";
  o.nkey_file = dir.write("user.nk", *seed + "\n");
  auto c = Connection::connect(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE((*c)->jetstream_ready(2s).ok());

  // A different identity is refused.
  auto other = nkey_generate_user_seed();
  ASSERT_TRUE(other.ok());
  o.nkey_file = dir.write("other.nk", *other + "\n");
  EXPECT_FALSE(Connection::connect(o).ok());

  o.nkey_file = dir.write("junk.nk", "not a seed\n");
  auto junk = Connection::connect(o);
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, ErrorCode::kInvalidArgument);
}

TEST(ConnectionTest, CoreRequestReply) {
  NatsServer server;
  ConnectOptions o;
  o.url = server.url();
  auto c = Connection::connect(o);
  ASSERT_TRUE(c.ok());
  // No responder: fails (no responders / timeout), never hangs.
  auto none = (*c)->request("nobody.home", "x", 500ms);
  EXPECT_FALSE(none.ok());
  EXPECT_TRUE((*c)->publish("any.subject", "data", {{"X-Trace", "1"}}).ok());
}

TEST(ConnectionTest, ReconnectsAfterServerRestart) {
  NatsServer server;
  ConnectOptions o;
  o.url = server.url();
  auto c = Connection::connect(o);
  ASSERT_TRUE(c.ok());
  server.stop();
  server.start();
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = (*c)->connected() && (*c)->jetstream_ready(500ms).ok();
    if (!back) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(back);
}

// A broker restart loses nothing published meanwhile: it waits in the reconnect buffer and goes
// out once the connection (and its subscriptions) are back.
TEST(ConnectionTest, PublishesDuringAnOutageAreSentOnReconnect) {
  NatsServer server;
  ConnectOptions o;
  o.url = server.url();
  auto c = Connection::connect(o);
  ASSERT_TRUE(c.ok());
  std::mutex mu;
  std::vector<std::string> got;
  auto sub = (*c)->subscribe("outage.test", [&](Message&& m) {
    std::lock_guard<std::mutex> lk(mu);
    got.push_back(m.data());
  });
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  server.stop();
  for (int i = 0; i < 100 && (*c)->connected(); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_FALSE((*c)->connected());
  EXPECT_TRUE((*c)->publish("outage.test", "while down").ok());
  server.start();
  bool delivered = false;
  for (int i = 0; i < 300 && !delivered; ++i) {
    {
      std::lock_guard<std::mutex> lk(mu);
      delivered = !got.empty();
    }
    if (!delivered) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(delivered);
  std::lock_guard<std::mutex> lk(mu);
  EXPECT_EQ(got, std::vector<std::string>{"while down"});
}

}  // namespace
}  // namespace osapi::messaging
