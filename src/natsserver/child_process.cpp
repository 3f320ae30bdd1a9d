#include "natsserver/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "logging/logger.h"
#include "natsserver/supervisor.h"

extern char** environ;

namespace osapi::natsserver {

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited()) kill_now();
  join_reader();
}

Status ChildProcess::start(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0)
    return Error(ErrorCode::kInternal, "pipe: " + std::string(strerror(errno)));
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return Error(ErrorCode::kInternal, "pipe: " + std::string(strerror(errno)));
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group; an unblocked signal mask and default dispositions (we block
  // SIGINT/SIGTERM in the supervisor, which the child would otherwise inherit).
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP}) sigaddset(&defaults, s);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    pid_ = -1;
    return Error(ErrorCode::kInternal, "spawn " + argv[0] + ": " + strerror(rc));
  }
  reader_ = std::thread([this, o = out[0], e = err[0]] { read_loop(o, e); });
  return Status::Ok();
}

void ChildProcess::read_loop(int out_fd, int err_fd) {
  std::string pending[2];
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_count = 2;
  char buf[4096];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (!pending[i].empty()) handle_line(pending[i]);
        pending[i].clear();
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      pending[i].append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending[i].find('\n')) != std::string::npos) {
        std::string line = pending[i].substr(0, nl);
        pending[i].erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) handle_line(line);
      }
    }
  }
}

void ChildProcess::handle_line(const std::string& line) {
  const ServerLogLine parsed = parse_server_log_line(line);
  logging::log(static_cast<logging::Level>(parsed.level), parsed.text,
               {{"component", "nats-server"}});
  if (parsed.text.find("Server is ready") != std::string::npos) ready_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  last_line_ = parsed.text;
  if (parsed.level >= static_cast<int>(logging::Level::kError)) last_error_ = parsed.text;
}

bool ChildProcess::exited() {
  if (pid_ <= 0 || reaped_) return true;
  int st = 0;
  const pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    reaped_ = true;
    status_ = st;
    return true;
  }
  return false;
}

bool ChildProcess::stop(std::chrono::milliseconds grace) {
  if (exited()) return true;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited()) return true;
    usleep(20000);
  }
  kill_now();
  return false;
}

void ChildProcess::kill_now() {
  if (pid_ <= 0 || reaped_) return;
  kill(-pid_, SIGKILL);
  int st = 0;
  if (waitpid(pid_, &st, 0) == pid_) status_ = st;
  reaped_ = true;
}

std::string ChildProcess::exit_description() const {
  if (WIFEXITED(status_)) return "exit status " + std::to_string(WEXITSTATUS(status_));
  if (WIFSIGNALED(status_)) return "signal " + std::to_string(WTERMSIG(status_));
  return "unknown status";
}

int ChildProcess::exit_code() const {
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

std::string ChildProcess::last_error_line() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_.empty() ? last_line_ : last_error_;
}

void ChildProcess::join_reader() {
  if (reader_.joinable()) reader_.join();
}

}  // namespace osapi::natsserver
