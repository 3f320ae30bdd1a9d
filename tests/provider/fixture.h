// A temp directory tree standing in for /proc and /etc; removed on destruction.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "provider/paths.h"

namespace osapi::provider::testing {

class FixtureRoot {
 public:
  FixtureRoot() {
    std::random_device rd;
    root_ = std::filesystem::temp_directory_path() /
            ("osapi-provider-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(root_ / "proc" / "self");
    std::filesystem::create_directories(root_ / "etc");
  }
  ~FixtureRoot() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  FixtureRoot(const FixtureRoot&) = delete;
  FixtureRoot& operator=(const FixtureRoot&) = delete;

  void write(const std::string& rel, const std::string& content) {
    std::ofstream(root_ / rel, std::ios::binary) << content;
  }
  Paths paths() const { return Paths{(root_ / "proc").string(), (root_ / "etc").string()}; }

 private:
  std::filesystem::path root_;
};

}  // namespace osapi::provider::testing
