// The nats-server child: spawned in its own process group with piped output that a reader
// thread re-logs line by line (component=nats-server). It dies with the thread that started it
// (PR_SET_PDEATHSIG), so a supervisor killed with SIGKILL never leaves an orphan broker.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace osapi::natsserver {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // kills and reaps a still-running child, joins the reader
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Runs argv[0] (a path). `pass_fd` >= 0 becomes fd 3 of the child (read it as /dev/fd/3).
  // The calling thread must outlive the child: the kernel kills the child when the thread that
  // forked it exits, not only when the process does. Once the previous child exited, start()
  // runs a new one (its readiness and last lines start afresh).
  Status start(const std::vector<std::string>& argv, int pass_fd = -1);
  pid_t pid() const { return pid_; }
  // Non-blocking reap; true once the child has exited (status in exit_description()).
  bool exited();
  // SIGTERM, wait up to `grace`, then SIGKILL to the group; reaps. True if it exited in time.
  bool stop(std::chrono::milliseconds grace);
  void kill_now();
  // "exit status 1" / "signal 9".
  std::string exit_description() const;
  int exit_code() const;
  // The last [ERR]/[FTL] line (or the last line at all when there was none).
  std::string last_error_line() const;
  bool saw_ready() const { return ready_.load(); }
  void join_reader();

 private:
  void read_loop(int out_fd, int err_fd);
  void handle_line(const std::string& line);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::thread reader_;
  mutable std::mutex mu_;
  std::string last_error_;
  std::string last_line_;
  std::atomic<bool> ready_{false};
};

}  // namespace osapi::natsserver
