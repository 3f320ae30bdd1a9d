#include "natsserver/config_fd.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace osapi::natsserver {

Result<ConfigFd> ConfigFd::create(const std::string& name, const std::string& text) {
  const int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return Error(ErrorCode::kInternal,
                 "create in-memory config file: " + std::string(strerror(errno)));
  ConfigFd out(fd);
  // A memfd starts 0777; reopening it through /proc needs this mode too, so keep it owner-only.
  if (fchmod(fd, 0600) != 0)
    return Error(ErrorCode::kInternal,
                 "chmod in-memory config file: " + std::string(strerror(errno)));
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Error(ErrorCode::kInternal,
                   "write in-memory config file: " + std::string(strerror(errno)));
    off += static_cast<size_t>(n);
  }
  // The child reads it by path (a fresh open at offset 0); sealed, nobody can change it after.
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
    return Error(ErrorCode::kInternal,
                 "seal in-memory config file: " + std::string(strerror(errno)));
  return out;
}

ConfigFd::~ConfigFd() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace osapi::natsserver
