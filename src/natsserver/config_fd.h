// The generated nats-server config as an anonymous in-memory file (memfd) that the child reads
// as /dev/fd/3. Nothing touches the disk, so a supervisor killed at any moment leaves no
// config (and no passwords) behind, and nothing needs cleaning on the next start.
#pragma once

#include <string>

#include "common/result.h"

namespace osapi::natsserver {

class ConfigFd {
 public:
  // Path the child opens: the fd ChildProcess::start passes as fd 3.
  static constexpr const char* kChildPath = "/dev/fd/3";

  // Mode 0600, sealed read-only once written. The descriptor is close-on-exec: only the child
  // it is handed to gets it.
  static Result<ConfigFd> create(const std::string& name, const std::string& text);

  ConfigFd(ConfigFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ConfigFd& operator=(ConfigFd&&) = delete;
  ConfigFd(const ConfigFd&) = delete;
  ConfigFd& operator=(const ConfigFd&) = delete;
  ~ConfigFd();

  int fd() const { return fd_; }

 private:
  explicit ConfigFd(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace osapi::natsserver
