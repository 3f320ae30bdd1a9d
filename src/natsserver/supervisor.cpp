#include "natsserver/supervisor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/strings.h"
#include "logging/logger.h"
#include "messaging/nats.h"
#include "natsserver/child_process.h"
#include "natsserver/config_fd.h"
#include "natsserver/port_holder.h"
#include "natsserver/restart_backoff.h"
#include "natsserver/server_config.h"

namespace osapi::natsserver {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kReadyTimeout = 5s;
constexpr auto kStopGrace = 10s;

// Self-pipe for a SIGINT/SIGTERM that lands on a thread which does not block it (threads
// created before we blocked the signals). The handler only write()s: async-signal-safe.
int g_signal_pipe_w = -1;
void on_signal(int sig) {
  const int saved = errno;
  const unsigned char b = static_cast<unsigned char>(sig);
  if (g_signal_pipe_w >= 0) (void)!write(g_signal_pipe_w, &b, 1);
  errno = saved;
}

// Blocks SIGINT/SIGTERM in this thread (read through a signalfd) and routes them elsewhere to
// the self-pipe; everything is restored on destruction.
class SignalWatch {
 public:
  SignalWatch() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_mask_);
    sfd_ = signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK);
    if (pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) == 0) g_signal_pipe_w = pipe_[1];
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalWatch() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_signal_pipe_w = -1;
    if (sfd_ >= 0) close(sfd_);
    if (pipe_[0] >= 0) close(pipe_[0]);
    if (pipe_[1] >= 0) close(pipe_[1]);
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  // Waits up to `timeout` for SIGINT/SIGTERM; returns the signal number or 0.
  int wait(std::chrono::milliseconds timeout) {
    pollfd fds[2] = {{sfd_, POLLIN, 0}, {pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(timeout.count())) <= 0) return 0;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si{};
      if (read(sfd_, &si, sizeof(si)) == sizeof(si)) return static_cast<int>(si.ssi_signo);
    }
    if (fds[1].revents & POLLIN) {
      unsigned char b = 0;
      if (read(pipe_[0], &b, 1) == 1) return b;
    }
    return 0;
  }

 private:
  sigset_t set_{}, old_mask_{};
  int sfd_ = -1;
  int pipe_[2] = {-1, -1};
  struct sigaction old_int_ {
  }, old_term_{};
};

bool tcp_open(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string h = host;
  if (h.size() > 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
  if (getaddrinfo(h.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return false;
  bool ok = false;
  for (addrinfo* ai = res; ai && !ok; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    ok = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    close(fd);
  }
  freeaddrinfo(res);
  return ok;
}

std::string url_host(const std::string& url) {
  std::string hp = url.substr(url.find("://") + 3);
  return hp.substr(0, hp.rfind(':'));
}

// Waits until our child says it is ready, accepts TCP and answers a JetStream account info.
Result<std::shared_ptr<messaging::Connection>> wait_ready(ChildProcess& child,
                                                          const messaging::ConnectOptions& opts,
                                                          int port) {
  const auto deadline = Clock::now() + kReadyTimeout;
  std::string last_problem = "not ready";
  const std::string host = url_host(opts.url);
  while (Clock::now() < deadline) {
    if (child.exited())
      return Error(ErrorCode::kUnavailable,
                   "nats-server exited (" + child.exit_description() + ")");
    if (child.saw_ready() && tcp_open(host, port)) {
      messaging::ConnectOptions o = opts;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      o.connect_timeout_ms = static_cast<int>(std::max<long long>(100, left.count()));
      auto conn = messaging::Connection::connect(o);
      if (conn.ok()) {
        auto st = (*conn)->jetstream_ready(std::max<std::chrono::milliseconds>(100ms, left));
        if (st.ok() && !child.exited()) return conn;
        if (!st.ok()) last_problem = st.error().message;
      } else {
        last_problem = conn.error().message;
      }
    }
    std::this_thread::sleep_for(50ms);
  }
  return Error(ErrorCode::kTimeout, "not ready within 5s: " + last_problem);
}

}  // namespace

ServerLogLine parse_server_log_line(const std::string& line) {
  struct Tag {
    const char* tag;
    logging::Level level;
  };
  static const Tag tags[] = {
      {"[INF] ", logging::Level::kInfo},  {"[WRN] ", logging::Level::kWarn},
      {"[ERR] ", logging::Level::kError}, {"[FTL] ", logging::Level::kError},
      {"[DBG] ", logging::Level::kDebug}, {"[TRC] ", logging::Level::kDebug}};
  ServerLogLine out;
  out.text = line;
  for (const auto& t : tags) {
    const auto p = line.find(t.tag);
    if (p != std::string::npos) {
      out.level = static_cast<int>(t.level);
      out.text = line.substr(p + std::strlen(t.tag));
      break;
    }
  }
  return out;
}

Result<std::string> resolve_server_binary(const std::string& bin) {
  auto executable = [](const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
  };
  const std::string name = bin.empty() ? "nats-server" : bin;
  if (name.find('/') != std::string::npos) {
    if (executable(name)) return name;
    return Error(ErrorCode::kNotFound, "nats-server binary not found or not executable: " + name);
  }
  if (const char* path = std::getenv("PATH")) {
    for (const auto& dir : split(path, ':')) {
      const std::string p = (dir.empty() ? "." : dir) + "/" + name;
      if (executable(p)) return p;
    }
  }
  if (name == "nats-server" && executable("/usr/sbin/nats-server"))
    return std::string("/usr/sbin/nats-server");
  return Error(ErrorCode::kNotFound, "nats-server binary not found: \"" + name +
                                         "\" is not in PATH (set nats.server.bin or "
                                         "OSAPI_NATS_SERVER_BIN)");
}

int run_nats_server(const config::Config& cfg, const Hooks& hooks) {
  const auto& s = cfg.nats.server;
  const std::string& ns = s.namespace_;
  const std::string store_dir = absolute_store_dir(s.store_dir);

  if (s.auth_type != "none" && s.auth_type != "user_pass" && s.auth_type != "nkey") {
    logging::error("unsupported authentication method", {{"auth.type", s.auth_type}});
    return 1;
  }
  if (s.auth_type == "user_pass" && s.auth_users.empty()) {
    logging::error("nats.server.auth.users is empty for auth.type user_pass");
    return 1;
  }
  auto bin = resolve_server_binary(s.bin);
  if (!bin.ok()) {
    logging::error("failed to start embedded NATS server", {{"error", bin.error().message}});
    return 1;
  }

  // A broker still on our port (one an older supervisor left behind, say) would make the child
  // fail with a bare bind error: name the port and its holder instead.
  if (auto st = check_port_free(s.host, s.port); !st.ok()) {
    logging::error("failed to start embedded NATS server", {{"error", st.error().message}});
    return 1;
  }

  SignalWatch signals;  // before any thread of ours starts, so they inherit the blocked set
  const std::string internal_password = random_password_hex();
  auto conf = ConfigFd::create("nats-server.conf", generate_server_config(cfg, internal_password));
  if (!conf.ok()) {
    logging::error("failed to start embedded NATS server", {{"error", conf.error().message}});
    return 1;
  }

  // The child dies with the thread that forks it: this one, which stops the child before it
  // returns (every path below), so the child never outlives a running supervisor.
  ChildProcess child;
  std::atomic<int> child_pid{0};
  const messaging::ConnectOptions setup = setup_connect_options(cfg, internal_password);
  // Spawns the child and waits until it answers; the child is stopped again on failure.
  auto spawn = [&]() -> Result<std::shared_ptr<messaging::Connection>> {
    if (auto st = child.start({*bin, "-c", ConfigFd::kChildPath}, conf->fd()); !st.ok())
      return st.error();
    child_pid = static_cast<int>(child.pid());
    logging::debug("nats-server spawned",
                   {{"pid", static_cast<long long>(child.pid())}, {"bin", *bin}});
    auto ready = wait_ready(child, setup, s.port);
    if (ready.ok()) return ready;
    child.kill_now();
    child.join_reader();
    std::string detail = ready.error().message;
    if (const std::string last = child.last_error_line(); !last.empty()) detail += ": " + last;
    return Error(ready.error().code, detail);
  };

  auto conn = spawn();
  if (!conn.ok()) {
    logging::error("failed to start embedded NATS server", {{"error", conn.error().message}});
    return 1;
  }

  messaging::Connection& setup_conn = **conn;
  // Stops the child and closes the supervisor's connection: every exit path below.
  auto shut_down = [&](bool run_before_stop) {
    if (run_before_stop && hooks.before_stop) hooks.before_stop();
    setup_conn.close();
  };
  if (hooks.provision) {
    if (auto st = hooks.provision(setup_conn); !st.ok()) {
      shut_down(false);
      child.stop(kStopGrace);
      child.join_reader();
      logging::error("failed to setup JetStream infrastructure", {{"error", st.error().message}});
      return 1;
    }
    logging::info("JetStream infrastructure configured successfully", {{"namespace", ns}});
  }
  logging::info("embedded NATS server running", {{"host", s.host},
                                                 {"port", s.port},
                                                 {"store_dir", store_dir},
                                                 {"namespace", ns},
                                                 {"auth.type", s.auth_type}});
  if (hooks.after_ready) {
    if (auto st = hooks.after_ready(Ready{setup_conn, [&child_pid] { return child_pid.load(); }});
        !st.ok()) {
      logging::error("failed to start", {{"error", st.error().message}});
      shut_down(true);
      child.stop(kStopGrace);
      child.join_reader();
      return 1;
    }
  }

  auto stop_on_signal = [&](int sig) {
    shut_down(true);
    logging::info("shutting down embedded NATS server", {{"signal", strsignal(sig)}});
    const bool clean = child.stop(kStopGrace);
    child.join_reader();
    if (!clean) logging::warn("nats-server did not stop in time; killed");
    logging::info("embedded NATS server stopped");
    return 0;
  };

  // A child that dies on its own is started again on the same store, after a growing pause;
  // the hooks' processes (and every client) keep running and reconnect. Only a child that
  // keeps failing (never ready, or dead again soon after each start) makes the supervisor give
  // up.
  RestartBackoff backoff;
  auto up_since = Clock::now();
  for (;;) {
    if (const int sig = signals.wait(100ms); sig != 0) return stop_on_signal(sig);
    if (!child.exited()) continue;
    child.join_reader();
    const std::string status = child.exit_description(), last = child.last_error_line();
    backoff.child_exited(Clock::now() - up_since);
    for (;;) {
      if (backoff.exhausted()) {
        shut_down(true);
        logging::error("embedded NATS server exited unexpectedly",
                       {{"status", status},
                        {"error", last},
                        {"restarts", backoff.failures() - 1},
                        {"gave_up", "the server keeps failing"}});
        return 1;
      }
      const auto pause = backoff.next_pause();
      logging::error("embedded NATS server exited unexpectedly; restarting",
                     {{"status", status},
                      {"error", last},
                      {"restart_in_ms", static_cast<long long>(pause.count())}});
      if (const int sig = signals.wait(pause); sig != 0) return stop_on_signal(sig);
      auto again = spawn();
      if (again.ok() && hooks.provision) {
        if (auto st = hooks.provision(**again); !st.ok()) {
          again = st.error().wrap("failed to setup JetStream infrastructure");
          child.kill_now();
          child.join_reader();
        }
      }
      if (again.ok()) {
        (*again)->close();
        up_since = Clock::now();
        logging::info("embedded NATS server restarted",
                      {{"pid", static_cast<long long>(child.pid())},
                       {"store_dir", store_dir},
                       {"restarts", backoff.failures()}});
        break;
      }
      logging::warn("nats-server restart failed", {{"error", again.error().message}});
      backoff.start_failed();
    }
  }
}

}  // namespace osapi::natsserver
