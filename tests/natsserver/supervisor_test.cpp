// The supervisor as a real process (natsserver_supervisor_runner): start, ready, provisioned,
// SIGTERM → exit 0; start-up failures → exit 1 with a clear log line; SIGKILL takes the
// nats-server child with it and a restart on the same store dir recovers the data.
#include "natsserver/supervisor.h"
#include "natsserver/restart_backoff.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>
#include <filesystem>
#include <memory>

#include "messaging/nats.h"
#include "process.h"

namespace osapi::natsserver {
namespace {

using namespace std::chrono_literals;
using osapi::testing::Process;
using osapi::testing::TempDir;

std::string all_output(const Process& p) {
  return p.out() + p.err();
}

std::vector<std::string> runner_args(int port, const TempDir& dir,
                                     std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {SUPERVISOR_RUNNER, "host=127.0.0.1",
                                   "port=" + std::to_string(port), "store_dir=" + dir.file("js")};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Both places a temp file could go point at one dir the tests expect to stay empty.
std::map<std::string, std::string> runner_env(const TempDir& runtime) {
  return {{"XDG_RUNTIME_DIR", runtime.path()}, {"TMPDIR", runtime.path()}};
}

// The nats-server child of a running supervisor (its only child process).
pid_t server_child(const Process& p) {
  const auto children = osapi::testing::child_pids(p.pid());
  return children.size() == 1 ? children.front() : 0;
}

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

bool dir_empty(const std::string& p) {
  return std::filesystem::is_empty(std::filesystem::path(p));
}

TEST(LogLineTest, ParsesServerTags) {
  auto l = parse_server_log_line("[123] 2024/01/02 03:04:05.678901 [WRN] Plaintext passwords");
  EXPECT_EQ(l.level, 2);
  EXPECT_EQ(l.text, "Plaintext passwords");
  EXPECT_EQ(parse_server_log_line("[1] x [ERR] boom").level, 3);
  EXPECT_EQ(parse_server_log_line("[1] x [FTL] boom").level, 3);
  EXPECT_EQ(parse_server_log_line("[1] x [DBG] d").level, 0);
  EXPECT_EQ(parse_server_log_line("[1] x [TRC] t").level, 0);
  EXPECT_EQ(parse_server_log_line("[1] x [INF] Server is ready").text, "Server is ready");
  auto untagged = parse_server_log_line("no tag here");
  EXPECT_EQ(untagged.level, 1);
  EXPECT_EQ(untagged.text, "no tag here");
}

TEST(ResolveBinaryTest, PathsAndSearch) {
  EXPECT_TRUE(resolve_server_binary("nats-server").ok());  // PATH or /usr/sbin
  EXPECT_EQ(resolve_server_binary("/nonexistent/nats-server").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(resolve_server_binary("no-such-binary-osapi").ok());
  const std::string found = osapi::testing::nats_server_bin();
  EXPECT_EQ(*resolve_server_binary(found), found);
}

TEST(SupervisorTest, StartsProvisionsAndStopsOnSigterm) {
  TempDir dir, runtime;
  const int port = osapi::testing::free_port();
  Process p(runner_args(port, dir, {"namespace=osapi"}), runner_env(runtime));
  ASSERT_TRUE(p.wait_output("embedded NATS server running", 30s)) << all_output(p);
  const std::string out = all_output(p);
  EXPECT_NE(out.find("JetStream infrastructure configured successfully"), std::string::npos);
  EXPECT_NE(out.find("component=nats-server"), std::string::npos);
  EXPECT_NE(out.find("Server is ready"), std::string::npos);
  EXPECT_NE(out.find("store_dir=" + dir.file("js")), std::string::npos) << out;
  EXPECT_NE(out.find("namespace=osapi"), std::string::npos);
  EXPECT_NE(out.find("auth.type=none"), std::string::npos);
  // The config (with any passwords) lives in memory only: an owner-only memfd the child holds.
  EXPECT_TRUE(dir_empty(runtime.path()));
  const pid_t child = server_child(p);
  ASSERT_GT(child, 0);
  const std::string conf_link = "/proc/" + std::to_string(child) + "/fd/3";
  EXPECT_EQ(std::filesystem::read_symlink(conf_link).string().rfind("/memfd:nats-server.conf", 0),
            0u);
  EXPECT_EQ(std::filesystem::status(conf_link).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_NE(osapi::testing::read_file(conf_link).find("jetstream"), std::string::npos);

  messaging::ConnectOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(port);
  auto c = messaging::Connection::connect(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE((*c)->stream_info("osapi-JOBS").ok());
  EXPECT_TRUE((*c)->stream_info("osapi-JOBS-DLQ").ok());
  EXPECT_TRUE((*c)->consumer_info("osapi-JOBS", "jobs-agent_query_any").ok());
  c->reset();

  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(20s), 0) << all_output(p);
  EXPECT_NE(all_output(p).find("embedded NATS server stopped"), std::string::npos);
  EXPECT_FALSE(osapi::testing::port_open(port));
  EXPECT_TRUE(dir_empty(runtime.path()));
}

TEST(SupervisorTest, SigintAlsoStopsWithUserPassAuth) {
  TempDir dir, runtime;
  const int port = osapi::testing::free_port();
  Process p(runner_args(port, dir, {"auth=user_pass", "users=admin:pa\"ss,other:x"}),
            runner_env(runtime));
  ASSERT_TRUE(p.wait_output("embedded NATS server running", 30s)) << all_output(p);
  EXPECT_EQ(all_output(p).find("pa\"ss"), std::string::npos);  // never logged
  p.signal(SIGINT);
  EXPECT_EQ(p.wait(20s), 0) << all_output(p);
}

TEST(SupervisorTest, NkeyAuthProvisionsThroughInternalUser) {
  TempDir dir, runtime;
  const int port = osapi::testing::free_port();
  Process p(
      runner_args(port, dir,
                  {"auth=nkey", "nkeys=UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"}),
      runner_env(runtime));
  ASSERT_TRUE(p.wait_output("embedded NATS server running", 30s)) << all_output(p);
  EXPECT_NE(all_output(p).find("auth.type=nkey"), std::string::npos);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(20s), 0) << all_output(p);
}

TEST(SupervisorTest, PortAlreadyTakenFailsWithClearLog) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);

  TempDir dir, runtime;
  Process p(runner_args(port, dir), runner_env(runtime));
  EXPECT_EQ(p.wait(30s), 1) << all_output(p);
  const std::string out = all_output(p);
  EXPECT_NE(out.find("failed to start embedded NATS server"), std::string::npos) << out;
  EXPECT_NE(out.find("127.0.0.1:" + std::to_string(port) + ": address already in use"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("held by pid " + std::to_string(getpid())), std::string::npos) << out;
  EXPECT_TRUE(dir_empty(runtime.path()));
  close(fd);
}

// A broker an older supervisor left running: one line naming the port and its pid, exit 1.
TEST(SupervisorTest, StaleNatsServerOnThePortFailsNamingIt) {
  const int port = osapi::testing::free_port();
  Process stale({osapi::testing::nats_server_bin(), "-a", "127.0.0.1", "-p", std::to_string(port)});
  ASSERT_TRUE(osapi::testing::wait_port_open(port, 30s));

  TempDir dir, runtime;
  Process p(runner_args(port, dir), runner_env(runtime));
  EXPECT_EQ(p.wait(30s), 1) << all_output(p);
  const std::string out = all_output(p);
  EXPECT_EQ(count(out, "failed to start embedded NATS server"), 1) << out;
  EXPECT_NE(
      out.find("127.0.0.1:" + std::to_string(port) + ": address already in use, held by pid " +
               std::to_string(stale.pid()) + " (nats-server)"),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find("nats-server spawned"), std::string::npos) << out;  // checked before spawning
  EXPECT_TRUE(stale.running());
}

TEST(SupervisorTest, KillNineTakesTheChildAlongAndARestartRecovers) {
  TempDir dir, runtime;
  const int port = osapi::testing::free_port();
  const std::string url = "nats://127.0.0.1:" + std::to_string(port);
  auto first =
      std::make_unique<Process>(runner_args(port, dir, {"namespace=osapi"}), runner_env(runtime));
  ASSERT_TRUE(first->wait_output("embedded NATS server running", 30s)) << all_output(*first);
  const pid_t child = server_child(*first);
  ASSERT_GT(child, 0);
  {
    messaging::ConnectOptions o;
    o.url = url;
    auto c = messaging::Connection::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto kv = (*c)->key_value("osapi-job-queue");
    ASSERT_TRUE(kv.ok()) << kv.error().message;
    ASSERT_TRUE((*kv)->put("jobs.before-kill", "kept").ok());
  }

  first->signal(SIGKILL);
  EXPECT_EQ(first->wait(20s), 128 + SIGKILL);
  EXPECT_TRUE(osapi::testing::wait_process_gone(child, 20s))
      << "nats-server outlived its supervisor";
  EXPECT_TRUE(dir_empty(runtime.path()));
  first.reset();

  // Same port, same store: no "address already in use", the streams and their data are back.
  Process second(runner_args(port, dir, {"namespace=osapi"}), runner_env(runtime));
  ASSERT_TRUE(second.wait_output("embedded NATS server running", 30s)) << all_output(second);
  EXPECT_NE(all_output(second).find("JetStream infrastructure configured successfully"),
            std::string::npos);
  messaging::ConnectOptions o;
  o.url = url;
  auto c = messaging::Connection::connect(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto kv = (*c)->key_value("osapi-job-queue");
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  auto entry = (*kv)->get("jobs.before-kill");
  ASSERT_TRUE(entry.ok()) << entry.error().message;
  ASSERT_TRUE(entry->has_value());
  EXPECT_EQ((*entry)->value, "kept");
  c->reset();
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait(20s), 0) << all_output(second);
  EXPECT_TRUE(dir_empty(runtime.path()));
}

TEST(SupervisorTest, MissingBinaryFails) {
  TempDir dir, runtime;
  Process p(runner_args(osapi::testing::free_port(), dir, {"bin=/nonexistent/nats-server"}),
            runner_env(runtime));
  EXPECT_EQ(p.wait(30s), 1) << all_output(p);
  const std::string out = all_output(p);
  EXPECT_NE(out.find("failed to start embedded NATS server"), std::string::npos) << out;
  EXPECT_NE(out.find("/nonexistent/nats-server"), std::string::npos) << out;
}

TEST(SupervisorTest, UnsupportedAuthFails) {
  TempDir dir, runtime;
  Process p(runner_args(osapi::testing::free_port(), dir, {"auth=kerberos"}), runner_env(runtime));
  EXPECT_EQ(p.wait(30s), 1) << all_output(p);
  EXPECT_NE(all_output(p).find("unsupported authentication method"), std::string::npos);
}

TEST(SupervisorTest, ChildDyingOnItsOwnIsStartedAgainOnTheSameStore) {
  TempDir dir, runtime;
  const int port = osapi::testing::free_port();
  Process p(runner_args(port, dir, {"namespace=osapi"}), runner_env(runtime));
  ASSERT_TRUE(p.wait_output("embedded NATS server running", 30s)) << all_output(p);
  const pid_t child = server_child(p);
  ASSERT_GT(child, 0);
  // A client that stays connected across the restart.
  messaging::ConnectOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(port);
  auto c = messaging::Connection::connect(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto kv = (*c)->key_value("osapi-job-queue");
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  ASSERT_TRUE((*kv)->put("jobs.before-crash", "kept").ok());

  kill(child, SIGKILL);
  ASSERT_TRUE(p.wait_output("embedded NATS server restarted", 20s)) << all_output(p);
  EXPECT_TRUE(p.running());
  const std::string out = all_output(p);
  EXPECT_NE(out.find("embedded NATS server exited unexpectedly; restarting"), std::string::npos)
      << out;
  EXPECT_NE(out.find("signal 9"), std::string::npos) << out;
  EXPECT_EQ(count(out, "JetStream infrastructure configured successfully"), 1) << out;
  const pid_t second = server_child(p);
  EXPECT_GT(second, 0);
  EXPECT_NE(second, child);
  EXPECT_TRUE(dir_empty(runtime.path()));

  // The store came back, and the client reconnected by itself.
  std::optional<messaging::KvEntry> entry;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto e = (*kv)->get("jobs.before-crash");
    if (e.ok() && e->has_value()) {
      entry = **e;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->value, "kept");
  c->reset();
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(20s), 0) << all_output(p);
  EXPECT_FALSE(osapi::testing::port_open(port));
}

TEST(SupervisorTest, ChildThatCannotStartAgainMakesItGiveUp) {
  TempDir dir, runtime;
  const int port = osapi::testing::free_port();
  Process p(runner_args(port, dir), runner_env(runtime));
  ASSERT_TRUE(p.wait_output("embedded NATS server running", 30s)) << all_output(p);
  const pid_t child = server_child(p);
  ASSERT_GT(child, 0);
  // The supervisor is stopped while the child dies and someone else takes the port, so its
  // first restart cannot win that race on a busy machine: every start then fails.
  ASSERT_EQ(kill(p.pid(), SIGSTOP), 0);
  kill(child, SIGKILL);
  const int holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(holder, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The killed child's listener closes as it exits (it stays a zombie until the supervisor runs).
  int bound = -1;
  for (int i = 0; i < 200 && bound != 0; ++i) {
    bound = bind(holder, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    if (bound != 0) std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(bound, 0) << strerror(errno);
  ASSERT_EQ(listen(holder, 4), 0);
  ASSERT_EQ(kill(p.pid(), SIGCONT), 0);

  EXPECT_EQ(p.wait(30s), 1) << all_output(p);
  close(holder);
  const std::string out = all_output(p);
  EXPECT_EQ(count(out, "nats-server restart failed"), RestartBackoff::kMaxFailures) << out;
  EXPECT_NE(out.find("gave_up="), std::string::npos) << out;
  EXPECT_NE(out.find("address already in use"), std::string::npos) << out;
  EXPECT_EQ(out.find("embedded NATS server restarted"), std::string::npos) << out;
  EXPECT_TRUE(dir_empty(runtime.path()));
}

}  // namespace
}  // namespace osapi::natsserver
