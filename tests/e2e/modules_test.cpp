// Optional modules (common/module.h): the OTLP exporter and the CLI's libcurl transport are
// shared objects loaded only by the processes that use them, so an API server or agent without
// OTLP export maps neither (agent RSS, issue 6). Checked on the real processes' memory maps.
#include <gtest/gtest.h>

#include "stack.h"

using namespace osapi::testing;

namespace {

std::string maps_of(Process* p) {
  return p ? read_file("/proc/" + std::to_string(p->pid()) + "/maps") : "";
}

}  // namespace

TEST(E2EModules, ServersWithoutOtlpMapNeitherModuleNorTheirLibraries) {
  StackOptions o;
  o.exporter = "";  // tracing on, no exporter
  Stack stack(o);
  stack.start_all();
  auto r = stack.osapi({"client", "node", "hostname"});  // the CLI loads the HTTP module
  ASSERT_EQ(r.code, 0) << r.err;
  for (Process* p : {stack.api(), stack.agent()}) {
    const std::string maps = maps_of(p);
    ASSERT_FALSE(maps.empty());
    EXPECT_NE(maps.find("libnats"), std::string::npos);  // the reading works
    for (const char* lib : {"libosapi_otlp.so", "libosapi_curl.so", "libgrpc", "libprotobuf.so",
                            "libcurl", "libopentelemetry_exporter_otlp"})
      EXPECT_EQ(maps.find(lib), std::string::npos) << lib << " mapped in pid " << p->pid();
  }
}
