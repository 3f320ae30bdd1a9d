#include "common/module.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace osapi {
namespace {

constexpr const char* kTestModule = "libosapi_test_module.so";  // tests/common/test_module.cpp

TEST(Module, BuiltModuleIsFoundAndItsSymbolResolves) {
  auto sym = module_symbol(kTestModule, "osapi_test_module_answer");
  ASSERT_TRUE(sym.ok()) << sym.error().message;
  EXPECT_EQ(reinterpret_cast<int (*)()>(*sym)(), 42);
}

TEST(Module, MissingSymbolIsAClearError) {
  auto sym = module_symbol(kTestModule, "no_such_symbol");
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
