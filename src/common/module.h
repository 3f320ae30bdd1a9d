// Optional modules: shared objects the single `osapi` binary loads only in the roles that need
// them, so heavy dependencies are not mapped into every process. The OTLP exporter (gRPC,
// protobuf, libcurl) and the CLI's HTTP transport (libcurl) are modules; an agent or API server
// that does not export OTLP never loads either (issue 6: agent RSS).
#pragma once

#include <string>

#include "common/result.h"

namespace osapi {

// Loads `file` once (RTLD_NOW | RTLD_LOCAL; never unloaded) and returns the address of
// `symbol`. Search order: $OSAPI_MODULE_DIR, the executable's directory,
// <executable dir>/../lib/osapi, then the build tree the binary came from. The error names
// every path tried and the loader's message.
Result<void*> module_symbol(const std::string& file, const char* symbol);

}  // namespace osapi
