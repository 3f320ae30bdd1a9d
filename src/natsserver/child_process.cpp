#include "natsserver/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
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

namespace {

// In the forked child only async-signal-safe calls are allowed (the parent has threads).
// Reports errno through `err_fd` (close-on-exec, so a successful exec sends nothing) and exits.
[[noreturn]] void child_fail(int err_fd) {
  const int e = errno;
  (void)!write(err_fd, &e, sizeof(e));
  _exit(127);
}

// The child side of start(): never returns.
[[noreturn]] void exec_child(char* const* args, pid_t parent, int out_w, int err_w, int pass_fd,
                             int report_fd) {
  // Above the fds rearranged below, so failures can still be reported after the dup2s.
  const int err_fd = fcntl(report_fd, F_DUPFD_CLOEXEC, 10);
  if (err_fd < 0) _exit(127);
  // Dies with its supervisor, even one killed with SIGKILL. Set before the parent check: a
  // parent that died in between left us reparented already, so getppid() no longer matches.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(err_fd);
  if (getppid() != parent) _exit(127);
  // Own process group, so a terminal's Ctrl-C reaches the supervisor only; it stops us.
  if (setpgid(0, 0) != 0) child_fail(err_fd);

  // Copy every source above the targets first: a source may itself sit on 0..3.
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) child_fail(err_fd);
  const int sources[4] = {null_fd, out_w, err_w, pass_fd};
  int high[4] = {-1, -1, -1, -1};
  for (int i = 0; i < 4; ++i) {
    if (sources[i] < 0) continue;
    high[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, 10);
    if (high[i] < 0) child_fail(err_fd);
  }
  for (int target = 0; target < 4; ++target) {
    if (high[target] >= 0 && dup2(high[target], target) < 0) child_fail(err_fd);  // clears CLOEXEC
  }

  // Default dispositions and an empty mask (the supervisor blocks and handles some signals).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP}) sigaction(sig, &dfl, nullptr);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);

  execve(args[0], args, environ);
  child_fail(err_fd);
}

}  // namespace

Status ChildProcess::start(const std::vector<std::string>& argv, int pass_fd) {
  if (argv.empty()) return Error(ErrorCode::kInvalidArgument, "spawn: empty command");
  join_reader();  // a restart: the previous child's reader has seen its output end
  ready_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_error_.clear();
    last_line_.clear();
  }
  int out[2], err[2], report[2];
  if (pipe2(out, O_CLOEXEC) != 0)
    return Error(ErrorCode::kInternal, "pipe: " + std::string(strerror(errno)));
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return Error(ErrorCode::kInternal, "pipe: " + std::string(strerror(errno)));
  }
  if (pipe2(report, O_CLOEXEC) != 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
    return Error(ErrorCode::kInternal, "pipe: " + std::string(strerror(errno)));
  }

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  // Every signal blocked across fork(), so no handler of ours runs in the child before exec.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) exec_child(args.data(), parent, out[1], err[1], pass_fd, report[1]);
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(out[1]);
  close(err[1]);
  close(report[1]);
  if (pid < 0) {
    for (int fd : {out[0], err[0], report[0]}) close(fd);
    return Error(ErrorCode::kInternal, "fork: " + std::string(strerror(fork_errno)));
  }

  // EOF: exec succeeded (the pipe closed on exec); an int: the errno of the step that failed.
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report[0], &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n > 0) {
    waitpid(pid, nullptr, 0);
    close(out[0]);
    close(err[0]);
    return Error(ErrorCode::kInternal, "spawn " + argv[0] + ": " + strerror(child_errno));
  }
  pid_ = pid;
  reaped_ = false;
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
