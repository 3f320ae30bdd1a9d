#include "provider/machine_id.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/strings.h"
#include "provider/file_util.h"

namespace osapi::provider {

namespace {

// A machine id is 33 bytes; anything much larger is not one.
constexpr size_t kMaxMachineIdBytes = 4096;

std::string under_root(const std::string& root, const std::string& rel) {
  if (root.empty() || root == "/") return "/" + rel;
  return root.back() == '/' ? root + rel : root + "/" + rel;
}

}  // namespace

Result<std::string> read_machine_id(const std::string& root) {
  return read_machine_id_file(under_root(root, "etc/machine-id"));
}

Result<std::string> read_machine_id_file(const std::string& path) {
  auto fail = [&](const std::string& why) {
    return Error(ErrorCode::kInternal, "machine id: " + path + ": " + why);
  };
  // Read here rather than with read_small_file so the message names the path once.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno_text(errno));
  std::string text;
  char buf[512];
  int read_errno = 0;
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) read_errno = errno;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxMachineIdBytes) break;
  }
  ::close(fd);
  if (read_errno != 0) return fail(errno_text(read_errno));
  if (text.size() > kMaxMachineIdBytes) return fail("file too large");
  std::string id = trim(text);
  if (id.empty()) return fail("empty");
  return to_valid_utf8(id);
}

}  // namespace osapi::provider
