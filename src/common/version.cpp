#include "common/version.h"

#ifndef OSAPI_VERSION_STRING
#define OSAPI_VERSION_STRING "0.1.0"
#endif

namespace osapi {
const char* version() {
  return OSAPI_VERSION_STRING;
}
}  // namespace osapi
