// Shared helpers for the config tests: write a YAML file, load it with a given env and flags.
#pragma once

#include <map>
#include <string>

#include "config/loader.h"
#include "process.h"

namespace osapi::config::test {

inline const std::string kKey(64, 'a');  // a 64-hex signing key
inline const std::string kToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln";

struct Fixture {
  osapi::testing::TempDir dir;

  Result<Loaded> load_yaml(const std::string& yaml,
                           const std::map<std::string, std::string>& env = {},
                           const std::map<std::string, std::string>& flags = {}) const {
    LoadOptions opt;
    opt.path = dir.write("osapi.yaml", yaml);
    opt.env = env;
    opt.flags = flags;
    return load(opt);
  }

  // Loads and asserts success (returns a default Loaded on failure after recording it).
  Loaded must_load(const std::string& yaml, const std::map<std::string, std::string>& env = {},
                   const std::map<std::string, std::string>& flags = {}) const {
    auto r = load_yaml(yaml, env, flags);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : Loaded{};
  }
};

// Every command that loads the config (loader.h Command).
inline constexpr Command kAllCommands[] = {
    Command::kController, Command::kNatsServer,          Command::kAgent, Command::kStart,
    Command::kClient,     Command::kClientAuthenticated, Command::kToken};

inline std::string message(const Status& st) {
  return st.ok() ? "<ok>" : st.error().message;
}

}  // namespace osapi::config::test
