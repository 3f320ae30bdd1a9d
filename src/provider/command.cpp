#include "provider/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/strings.h"
#include "provider/command_lifetime.h"
#include "provider/file_util.h"

extern char** environ;

namespace osapi::provider {

using json = nlohmann::ordered_json;

namespace {

using SteadyClock = std::chrono::steady_clock;

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return true;
}

// Collects one stream: keeps the first kMaxCommandOutput bytes, drains (and drops) the rest so
// the child never blocks on a full pipe.
struct Capture {
  Fd fd;
  std::string data;
  bool truncated = false;
  bool open = true;

  void read_some() {
    char buf[16384];
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      const size_t room = kMaxCommandOutput > data.size() ? kMaxCommandOutput - data.size() : 0;
      const size_t keep = std::min(room, static_cast<size_t>(n));
      data.append(buf, keep);
      if (keep < static_cast<size_t>(n)) truncated = true;
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      open = false;
      fd.reset();
    }
  }
};

// The child after fork: only async-signal-safe calls until exec. A failure is reported to the
// parent as "<stage>\0<errno>" on the CLOEXEC error pipe.
[[noreturn]] void exec_child(int out_fd, int err_fd, int report_fd, pid_t parent, const char* cwd,
                             const char* path, char* const* argv) {
  // The signal comes when the *thread* that forked exits, not the process: run_command forks
  // on its caller's thread and stays there until the child is reaped, so it never fires early.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent died before prctl took effect: nobody would ever send the signal.
  if (::getppid() != parent) ::_exit(127);
  ::setpgid(0, 0);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  // Restore default signal handling the agent may have changed (blocked SIGINT/SIGTERM).
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  const char* stage = "exec";
  if (cwd != nullptr && ::chdir(cwd) != 0) {
    stage = "chdir";
  } else {
    ::execve(path, argv, environ);
  }
  const int err = errno;
  char msg[16] = {};
  size_t len = std::strlen(stage);
  std::memcpy(msg, stage, len);
  msg[len++] = '\0';
  std::memcpy(msg + len, &err, sizeof err);
  len += sizeof err;
  [[maybe_unused]] ssize_t w = ::write(report_fd, msg, len);
  ::_exit(127);
}

int wait_child(pid_t pid, bool block, bool& exited) {
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  exited = r == pid;
  if (!exited) return 0;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -1;  // killed by a signal
}

Error exec_failure(const std::string& what) {
  return make_error(ErrorCode::kInternal, "failed to execute command: " + what);
}

Error stopping() {
  return make_error(ErrorCode::kUnavailable, "command killed: agent is stopping");
}

}  // namespace

std::string find_executable(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return is_executable_file(name) ? name : "";
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  for (const auto& dir : split(path, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return "";
}

std::string limit_output(const std::string& text, bool truncated) {
  if (text.size() > kMaxCommandOutput) {
    return to_valid_utf8(text.substr(0, kMaxCommandOutput)) + "\n[truncated]";
  }
  return to_valid_utf8(text) + (truncated ? "\n[truncated]" : "");
}

Result<CommandResult> run_command(const CommandRequest& request) {
  const int timeout_s =
      request.timeout_seconds > 0 ? request.timeout_seconds : kDefaultCommandTimeoutSeconds;
  std::vector<std::string> argv_text;
  std::string path;
  if (request.shell) {
    path = "/bin/sh";
    argv_text = {"/bin/sh", "-c", request.command};
  } else {
    path = find_executable(request.command);
    if (path.empty())
      return exec_failure("exec: \"" + request.command + "\": executable file not found in $PATH");
    argv_text.push_back(request.command);
    argv_text.insert(argv_text.end(), request.args.begin(), request.args.end());
  }
  // Everything the child needs is built before fork (no allocation after it).
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  Capture out, err;
  Fd out_w, err_w, report_r, report_w;
  if (!make_pipe(out.fd, out_w) || !make_pipe(err.fd, err_w) || !make_pipe(report_r, report_w))
    return exec_failure("pipe: " + errno_text(errno));

  const auto start = SteadyClock::now();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return exec_failure("fork: " + errno_text(errno));
  if (pid == 0) {
    exec_child(out_w.get(), err_w.get(), report_w.get(), parent,
               request.cwd.empty() ? nullptr : request.cwd.c_str(), path.c_str(), argv.data());
  }
  ::setpgid(pid, pid);  // also in the parent, so the group exists before any kill below
  out_w.reset();
  err_w.reset();
  report_w.reset();
  auto reap_killed = [&](const Error& e) {
    ::kill(-pid, SIGKILL);
    bool exited = false;
    wait_child(pid, true, exited);
    return e;
  };
  detail::Supervision supervision(request.groups, pid);
  if (!supervision.start_guard()) return reap_killed(exec_failure("guard: " + errno_text(errno)));
  if (!supervision.registered()) return reap_killed(stopping());

  // The report pipe closes on a successful exec; otherwise it carries the failing stage.
  char report[32] = {};
  ssize_t n;
  do {
    n = ::read(report_r.get(), report, sizeof report);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    bool exited = false;
    wait_child(pid, true, exited);
    const std::string stage(report);
    int code = 0;
    if (static_cast<size_t>(n) >= stage.size() + 1 + sizeof code)
      std::memcpy(&code, report + stage.size() + 1, sizeof code);
    if (stage == "chdir") return exec_failure("chdir " + request.cwd + ": " + errno_text(code));
    return exec_failure("fork/exec " + path + ": " + errno_text(code));
  }

  const auto deadline = start + std::chrono::seconds(timeout_s);
  bool exited = false;
  int exit_code = 0;
  // After the child exits, output held open by its background children is read only briefly.
  SteadyClock::time_point drain_until = SteadyClock::time_point::max();
  while (out.open || err.open) {
    const auto now = SteadyClock::now();
    if (now >= deadline || now >= drain_until) break;
    std::array<pollfd, 2> fds{};
    nfds_t count = 0;
    for (Capture* c : {&out, &err})
      if (c->open) fds[count++] = pollfd{c->fd.get(), POLLIN, 0};
    const auto wait = std::min(deadline, drain_until) - now;
    const int ms = static_cast<int>(std::min<int64_t>(
        100, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1));
    if (::poll(fds.data(), count, ms) > 0) {
      for (nfds_t i = 0; i < count; ++i) {
        if (fds[i].revents == 0) continue;
        (fds[i].fd == out.fd.get() ? out : err).read_some();
      }
    }
    if (!exited) {
      exit_code = wait_child(pid, false, exited);
      if (exited) drain_until = SteadyClock::now() + std::chrono::milliseconds(500);
    }
  }
  if (!exited) {
    if (SteadyClock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      wait_child(pid, true, exited);
      return make_error(ErrorCode::kTimeout,
                        "command timed out after " + std::to_string(timeout_s) + "s");
    }
    // Both pipes closed before the child exited: wait for it, still bounded by the deadline.
    while (!exited && SteadyClock::now() < deadline) {
      exit_code = wait_child(pid, false, exited);
      if (!exited) ::usleep(10 * 1000);
    }
    if (!exited) {
      ::kill(-pid, SIGKILL);
      wait_child(pid, true, exited);
      return make_error(ErrorCode::kTimeout,
                        "command timed out after " + std::to_string(timeout_s) + "s");
    }
  }
  if (supervision.finish()) return stopping();
  CommandResult result;
  result.exit_code = exit_code;
  result.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
  result.stdout_text = limit_output(out.data, out.truncated);
  result.stderr_text = limit_output(err.data, err.truncated);
  return result;
}

Result<CommandRequest> parse_command_data(const json& data, bool shell) {
  auto bad = [](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, m); };
  if (!data.is_object()) return bad("command data must be an object");
  CommandRequest req;
  req.shell = shell;
  auto cmd = data.find("command");
  if (cmd == data.end() || !cmd->is_string() || cmd->get<std::string>().empty())
    return bad("missing command");
  req.command = cmd->get<std::string>();
  if (auto a = data.find("args"); a != data.end() && !a->is_null()) {
    if (!a->is_array()) return bad("args must be an array of strings");
    for (const auto& v : *a) {
      if (!v.is_string()) return bad("args must be an array of strings");
      req.args.push_back(v.get<std::string>());
    }
  }
  if (auto c = data.find("cwd"); c != data.end() && !c->is_null()) {
    if (!c->is_string()) return bad("cwd must be a string");
    req.cwd = c->get<std::string>();
  }
  if (auto t = data.find("timeout"); t != data.end() && !t->is_null()) {
    if (!t->is_number_integer()) return bad("timeout must be an integer");
    const auto v = t->get<int64_t>();
    // Beyond the API's 1..300 only via POST /job; clamp so the arithmetic stays sane.
    req.timeout_seconds =
        v <= 0 ? kDefaultCommandTimeoutSeconds : static_cast<int>(std::min<int64_t>(v, 24 * 3600));
  }
  return req;
}

json to_json(const CommandResult& r) {
  return json{{"stdout", r.stdout_text},
              {"stderr", r.stderr_text},
              {"exit_code", r.exit_code},
              {"duration_ms", r.duration_ms},
              {"changed", true}};
}

}  // namespace osapi::provider
