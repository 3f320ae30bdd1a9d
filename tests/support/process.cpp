#include "process.h"

#include <atomic>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace osapi::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "osapi-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  const std::string p = file(name);
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

std::string scratch_path(const std::string& name) {
  static TempDir root;
  static std::atomic<unsigned> n{0};
  return root.file(name + "-" + std::to_string(++n));
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

bool wait_port_open(int port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (port_open(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<pid_t> child_pids(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "children");
    pid_t child = 0;
    while (in >> child) out.push_back(child);
  }
  return out;
}

bool process_gone(pid_t pid) {
  // /proc/<pid>/stat: "pid (comm) S …"; the comm may hold spaces or parentheses.
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= stat.size()) return true;
  const char state = stat[close_paren + 2];
  return state == 'Z' || state == 'X';
}

bool wait_process_gone(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (process_gone(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return process_gone(pid);
}

Process::Process(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env, const std::string& cwd,
                 const std::string& stdin_data) {
  out_path_ = dir_.file("stdout");
  err_path_ = dir_.file("stderr");
  const std::string in_path = dir_.write("stdin", stdin_data);
  std::vector<std::string> envs;
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) merged[k] = v;
  for (const auto& [k, v] : merged) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(126);
    ::execvpe(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  ::setpgid(pid_, pid_);
}

Process::~Process() {
  if (!exited_ && pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
}

bool Process::running() {
  if (exited_) return false;
  pid_t r = ::waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) exited_ = true;
  return !exited_;
}

void Process::signal(int sig) {
  if (!exited_) ::kill(pid_, sig);
}

static int code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return code_of(status_);
}

int Process::stop(std::chrono::milliseconds grace) {
  if (exited_) return code_of(status_);
  signal(SIGTERM);
  int code = wait(grace);
  if (code == -1) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    code = wait(std::chrono::seconds(5));
  }
  return code;
}

std::string Process::out() const {
  return read_file(out_path_);
}
std::string Process::err() const {
  return read_file(err_path_);
}

bool Process::wait_output(const std::string& needle, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (out().find(needle) != std::string::npos || err().find(needle) != std::string::npos)
      return true;
    if (!running())
      return out().find(needle) != std::string::npos || err().find(needle) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              const std::string& stdin_data, std::chrono::milliseconds timeout) {
  Process p(argv, env, "", stdin_data);
  RunResult r;
  r.code = p.wait(timeout);
  if (r.code == -1) r.code = p.stop(std::chrono::seconds(1));
  r.out = p.out();
  r.err = p.err();
  return r;
}

std::string nats_server_bin() {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/usr/local/bin"}) {
    std::string p = std::string(dir) + "/nats-server";
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "nats-server";
}

NatsServer::NatsServer(const std::string& extra_conf) {
  port_ = free_port();
  conf_ = dir_.write("nats.conf", "host: 127.0.0.1\nport: " + std::to_string(port_) +
                                      "\njetstream { store_dir: \"" + dir_.file("js") + "\" }\n" +
                                      extra_conf + "\n");
  start();
}

NatsServer::~NatsServer() {
  stop();
}

void NatsServer::start() {
  proc_ = std::make_unique<Process>(std::vector<std::string>{nats_server_bin(), "-c", conf_});
  if (!wait_port_open(port_, std::chrono::seconds(10)))
    throw std::runtime_error("nats-server did not start: " + proc_->err());
}

void NatsServer::stop() {
  if (proc_) {
    proc_->stop(std::chrono::seconds(5));
    proc_.reset();
  }
}

}  // namespace osapi::testing
