#include "cli/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace osapi::cli {

namespace {

Error io_error(const std::string& what, const std::string& path) {
  return Error(ErrorCode::kInternal, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Status write_private_file(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("failed to create", path);
  // open() keeps the mode of a file that already existed; narrow it before writing.
  if (::fchmod(fd, 0600) != 0) {
    const Error e = io_error("failed to restrict", path);
    ::close(fd);
    return e;
  }
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Error e = io_error("failed to write", path);
      ::close(fd);
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return io_error("failed to write", path);
  return Status::Ok();
}

}  // namespace osapi::cli
