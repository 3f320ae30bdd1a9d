#include "common/module.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "http/curl_transport.h"

namespace osapi {
namespace {

TEST(Module, BuiltModuleIsFoundAndItsSymbolResolves) {
  auto sym = module_symbol(http::kCurlModuleFile, http::kCurlModuleSymbol);
  ASSERT_TRUE(sym.ok()) << sym.error().message;
  const auto* api = reinterpret_cast<decltype(&osapi_curl_transport)>(*sym)();
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->abi_version, http::kCurlTransportAbi);
  EXPECT_EQ(api->parse_url("http://u:p@127.0.0.1:8080/x").host, "127.0.0.1");
}

TEST(Module, MissingSymbolIsAClearError) {
  auto sym = module_symbol(http::kCurlModuleFile, "no_such_symbol");
  ASSERT_FALSE(sym.ok());
  EXPECT_NE(sym.error().message.find("has no symbol no_such_symbol"), std::string::npos)
      << sym.error().message;
}

TEST(Module, MissingModuleNamesThePathsAndTheVariable) {
  auto sym = module_symbol("libosapi_missing_for_test.so", "x");
  ASSERT_FALSE(sym.ok());
  EXPECT_EQ(sym.error().code, ErrorCode::kUnavailable);
  const std::string& m = sym.error().message;
  EXPECT_NE(m.find("module libosapi_missing_for_test.so not found"), std::string::npos) << m;
  EXPECT_NE(m.find("OSAPI_MODULE_DIR"), std::string::npos) << m;
}

TEST(Module, ModuleDirVariableComesFirstAndABrokenFileIsReported) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("osapi-module-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "libosapi_broken_for_test.so") << "not an ELF file";
  ::setenv("OSAPI_MODULE_DIR", dir.c_str(), 1);
  auto sym = module_symbol("libosapi_broken_for_test.so", "x");
  ::unsetenv("OSAPI_MODULE_DIR");
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(sym.ok());
  EXPECT_NE(
      sym.error().message.find("cannot load " + (dir / "libosapi_broken_for_test.so").string()),
      std::string::npos)
      << sym.error().message;
}

}  // namespace
}  // namespace osapi
