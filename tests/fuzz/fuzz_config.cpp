// YAML config loading (config::load from a file): the input is the file, held in a memfd so
// the fuzzer never writes to disk; then every command's validation and the masked dump.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = memfd_create("osapi-fuzz-config", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t off = 0;
  while (off < size) {
    const ssize_t n = write(fd, data + off, size - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  osapi::config::LoadOptions options;
  options.path = "/proc/self/fd/" + std::to_string(fd);
  auto loaded = osapi::config::load(options);
  close(fd);
  if (!loaded.ok()) return 0;
  using osapi::config::Command;
  for (Command c : {Command::kController, Command::kNatsServer, Command::kAgent, Command::kStart,
                    Command::kClient, Command::kClientAuthenticated, Command::kToken})
    (void)osapi::config::validate_for(*loaded, c);
  (void)osapi::config::dump_masked(loaded->config);
  return 0;
}
