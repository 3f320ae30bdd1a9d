// Test helpers: child processes with captured output, free ports, temp dirs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace osapi::testing {

// A temp directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// A fresh path (not created) under a temp directory removed when the test process exits: for
// state a component creates on demand, e.g. the audit spool, so no test writes outside /tmp.
std::string scratch_path(const std::string& name);

// A port on 127.0.0.1 that was free a moment ago.
int free_port();
// True when something accepts TCP connections on 127.0.0.1:port.
bool port_open(int port);
bool wait_port_open(int port, std::chrono::milliseconds timeout);

std::string read_file(const std::string& path);

// Direct children of `pid` (every thread's, from /proc/<pid>/task/*/children).
std::vector<pid_t> child_pids(pid_t pid);
// True once `pid` no longer runs: no /proc entry, or a zombie nobody reaped yet.
bool process_gone(pid_t pid);
bool wait_process_gone(pid_t pid, std::chrono::milliseconds timeout);

// A child process; stdout and stderr go to files. Killed (SIGKILL to its group) on destruction
// unless it already exited.
class Process {
 public:
  // env entries "K=V" are added to (and override) the current environment.
  Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
          const std::string& cwd = "", const std::string& stdin_data = "");
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits for exit; returns the exit code (128+sig when killed), or -1 on timeout.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM, wait up to `grace`, then SIGKILL; returns the exit code.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  std::string out() const;  // stdout so far
  std::string err() const;  // stderr so far
  const std::string& out_path() const { return out_path_; }
  const std::string& err_path() const { return err_path_; }
  // Waits until stdout+stderr contains `needle`.
  bool wait_output(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  TempDir dir_;
  std::string out_path_, err_path_;
};

// Runs a command to completion (timeout 60 s) and returns exit code and output.
struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};
RunResult run(const std::vector<std::string>& argv,
              const std::map<std::string, std::string>& env = {},
              const std::string& stdin_data = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A real nats-server with JetStream on a free loopback port and a temp store dir.
class NatsServer {
 public:
  explicit NatsServer(const std::string& extra_conf = "");
  ~NatsServer();
  int port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  void stop();
  // Restarts on the same port and store dir.
  void start();

 private:
  TempDir dir_;
  int port_ = 0;
  std::string conf_;
  std::unique_ptr<Process> proc_;
};

// Path of the nats-server binary (PATH, else /usr/sbin/nats-server).
std::string nats_server_bin();

}  // namespace osapi::testing
