// Generated nats-server config text, and that a real nats-server accepts it.
#include "natsserver/server_config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "messaging/nats.h"
#include "messaging/nkeys.h"
#include "process.h"

namespace osapi::natsserver {
namespace {

using namespace std::chrono_literals;
using osapi::testing::Process;
using osapi::testing::TempDir;

bool contains(const std::string& h, const std::string& n) {
  return h.find(n) != std::string::npos;
}

TEST(ServerConfigTest, QuoteEscapes) {
  EXPECT_EQ(quote("plain"), "\"plain\"");
  EXPECT_EQ(quote("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(quote("a\\b"), "\"a\\\\b\"");
  EXPECT_EQ(quote("a\nb\tc"), "\"a\\nb\\tc\"");
  EXPECT_EQ(quote(std::string("a\x01") + "b"), "\"a\\u0001b\"");
  EXPECT_EQ(quote("$x #y"), "\"$x #y\"");
}

TEST(ServerConfigTest, NoAuth) {
  config::Config cfg;
  const std::string text = generate_server_config(cfg, "pw");
  EXPECT_TRUE(contains(text, "server_name: \"osapi-")) << text;
  EXPECT_TRUE(contains(text, "host: \"localhost\"\n"));
  EXPECT_TRUE(contains(text, "port: 4222\n"));
  const std::string abs = (std::filesystem::current_path() / ".nats/jetstream/").string();
  EXPECT_TRUE(contains(text, "jetstream {\n  store_dir: " + quote(abs) + "\n}")) << text;
  EXPECT_FALSE(contains(text, "authorization"));
  EXPECT_FALSE(contains(text, "http"));
  EXPECT_FALSE(contains(text, "pw"));

  cfg.nats.server.monitor_port = 8222;
  cfg.nats.server.store_dir = "/var/lib/osapi/../osapi/js";
  const std::string mon = generate_server_config(cfg, "pw");
  EXPECT_TRUE(contains(mon, "http_port: 8222\n"));
  EXPECT_TRUE(contains(mon, "store_dir: \"/var/lib/osapi/js\""));
}

TEST(ServerConfigTest, UserPassUsersEscaped) {
  config::Config cfg;
  cfg.nats.server.auth_type = "user_pass";
  cfg.nats.server.auth_users = {{"alice", "s3cret"}, {"b\"ob", "p\\q\"r"}};
  const std::string text = generate_server_config(cfg, "internal");
  EXPECT_TRUE(contains(text,
                       "authorization {\n  users = [\n"
                       "    {user: \"alice\", password: \"s3cret\"}\n"
                       "    {user: \"b\\\"ob\", password: \"p\\\\q\\\"r\"}\n"
                       "  ]\n}\n"))
      << text;
  EXPECT_FALSE(contains(text, "internal"));
}

TEST(ServerConfigTest, NkeyAddsInternalUser) {
  config::Config cfg;
  cfg.nats.server.auth_type = "nkey";
  cfg.nats.server.auth_nkeys = {"UAAA", "UBBB"};
  const std::string text = generate_server_config(cfg, "0123abcd");
  EXPECT_TRUE(contains(text,
                       "    {nkey: \"UAAA\"}\n    {nkey: \"UBBB\"}\n"
                       "    {user: \"osapi-internal\", password: \"0123abcd\"}\n"))
      << text;
}

TEST(ServerConfigTest, RandomPasswordAndSetupOptions) {
  const std::string a = random_password_hex(), b = random_password_hex();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);

  config::Config cfg;
  cfg.nats.server.host = "0.0.0.0";
  cfg.nats.server.port = 4333;
  auto o = setup_connect_options(cfg, "pw");
  EXPECT_EQ(o.url, "nats://127.0.0.1:4333");
  EXPECT_EQ(o.name, "osapi-nats-setup");
  EXPECT_EQ(o.auth_type, "none");

  cfg.nats.server.auth_type = "user_pass";
  cfg.nats.server.auth_users = {{"first", "one"}, {"second", "two"}};
  o = setup_connect_options(cfg, "pw");
  EXPECT_EQ(o.auth_type, "user_pass");
  EXPECT_EQ(o.username, "first");
  EXPECT_EQ(o.password, "one");

  cfg.nats.server.auth_type = "nkey";
  o = setup_connect_options(cfg, "pw");
  EXPECT_EQ(o.username, kInternalUser);
  EXPECT_EQ(o.password, "pw");
}

// Starts nats-server with a generated config on a free port.
std::unique_ptr<Process> start_server(config::Config& cfg, const TempDir& dir,
                                      const std::string& internal) {
  cfg.nats.server.host = "127.0.0.1";
  cfg.nats.server.port = osapi::testing::free_port();
  cfg.nats.server.store_dir = dir.file("js");
  const std::string conf = dir.write("nats.conf", generate_server_config(cfg, internal));
  auto p = std::make_unique<Process>(
      std::vector<std::string>{osapi::testing::nats_server_bin(), "-c", conf});
  EXPECT_TRUE(osapi::testing::wait_port_open(cfg.nats.server.port, 10s)) << p->err();
  return p;
}

TEST(ServerConfigTest, RealServerAcceptsEscapedUserPass) {
  TempDir dir;
  config::Config cfg;
  cfg.nats.server.auth_type = "user_pass";
  cfg.nats.server.auth_users = {{"plain", "pw"}, {"tricky", "p\\a\"s$s #x"}};
  auto server = start_server(cfg, dir, "");
  auto o = setup_connect_options(cfg, "");
  o.username = "tricky";
  o.password = "p\\a\"s$s #x";
  auto c = messaging::Connection::connect(o);
  ASSERT_TRUE(c.ok()) << c.error().message << "\n" << server->err();
  EXPECT_TRUE((*c)->jetstream_ready(2s).ok());
  o.password = "wrong";
  EXPECT_FALSE(messaging::Connection::connect(o).ok());
}

TEST(ServerConfigTest, RealServerAcceptsNkeysAndInternalUser) {
  TempDir dir;
  auto seed = messaging::nkey_generate_user_seed();
  ASSERT_TRUE(seed.ok());
  auto pub = messaging::nkey_public_from_seed(*seed);
  ASSERT_TRUE(pub.ok());
  config::Config cfg;
  cfg.nats.server.auth_type = "nkey";
  cfg.nats.server.auth_nkeys = {*pub};
  const std::string internal = random_password_hex();
  auto server = start_server(cfg, dir, internal);

  auto setup = messaging::Connection::connect(setup_connect_options(cfg, internal));
  ASSERT_TRUE(setup.ok()) << setup.error().message << "\n" << server->err();

  messaging::ConnectOptions o;
  o.url = setup_connect_options(cfg, internal).url;
  o.auth_type = "nkey";
  o.nkey_file = dir.write("agent.nk", *seed + "\n");
  auto agent = messaging::Connection::connect(o);
  ASSERT_TRUE(agent.ok()) << agent.error().message;

  o.auth_type = "none";
  EXPECT_FALSE(messaging::Connection::connect(o).ok());
}

}  // namespace
}  // namespace osapi::natsserver
