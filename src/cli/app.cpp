#include "cli/app.h"

#include <cstdio>

#include "common/version.h"

namespace osapi::cli {
int run(int, char**) {
  std::printf("osapi %s\n", osapi::version());
  return 0;
}
}  // namespace osapi::cli
