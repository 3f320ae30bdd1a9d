#include "provider/command_lifetime.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace osapi::provider {

namespace {

// Waits for the guard; it exits at once once its pipe has the byte or is closed.
void reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// The guard after fork: only async-signal-safe calls. An EOF on the pipe without the "done"
// byte means the runner died: PDEATHSIG reaches only the direct child, this reaches the group.
[[noreturn]] void guard_child(int read_fd, pid_t group) {
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  ::setpgid(0, 0);  // a kill of the agent's process group must not take the guard with it
  // Only the pipe stays open: a copy of any write end (ours, another command's guard or output
  // pipe) would hold off the EOF.
  ::dup2(read_fd, STDIN_FILENO);
  if (::close_range(1, ~0U, 0) != 0)
    for (int fd = 1; fd < 4096; ++fd) ::close(fd);
  char done = 0;
  ssize_t n;
  do {
    n = ::read(STDIN_FILENO, &done, 1);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) ::kill(-group, SIGKILL);
  ::_exit(0);
}

}  // namespace

namespace detail {

bool Supervision::start_guard() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    errno = err;
    return false;
  }
  if (pid == 0) guard_child(fds[0], group_);
  ::close(fds[0]);
  guard_ = pid;
  guard_w_ = fds[1];
  return true;
}

bool Supervision::registered() {
  if (groups_ == nullptr) return true;
  registered_ = groups_->add(group_);
  return registered_;
}

bool Supervision::finish() {
  if (guard_ > 0) {
    const char done = 1;
    [[maybe_unused]] ssize_t w = ::write(guard_w_, &done, 1);
    ::close(guard_w_);
    guard_w_ = -1;
    reap(guard_);
    guard_ = -1;
  }
  bool killed = false;
  if (registered_) killed = groups_->remove(group_);
  registered_ = false;
  return killed;
}

}  // namespace detail

bool ProcessGroups::add(pid_t group) {
  std::lock_guard<std::mutex> lk(mu_);
  if (closed_) return false;
  groups_[group] = false;
  return true;
}

bool ProcessGroups::remove(pid_t group) {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return false;
  const bool killed = it->second;
  groups_.erase(it);
  return killed;
}

size_t ProcessGroups::kill_all() {
  std::lock_guard<std::mutex> lk(mu_);
  closed_ = true;
  for (auto& [group, killed] : groups_) {
    ::kill(-group, SIGKILL);
    killed = true;
  }
  return groups_.size();
}

size_t ProcessGroups::running() const {
  std::lock_guard<std::mutex> lk(mu_);
  return groups_.size();
}

}  // namespace osapi::provider
