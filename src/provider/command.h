// command.exec.execute / command.shell.execute: run a program without a
// shell (or `/bin/sh -c`), capture its output, bound it by a timeout. Also the process runner
// the other providers use for system tools (resolvectl).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace osapi::provider {

// Each of stdout and stderr is cut to this many bytes, then "\n[truncated]" is appended, so a
// response always fits in the NATS max payload.
inline constexpr size_t kMaxCommandOutput = 256 * 1024;
inline constexpr int kDefaultCommandTimeoutSeconds = 30;

// The process groups of the commands one owner (the agent) is running, so it can end them all
// when it stops. Thread-safe.
class ProcessGroups {
 public:
  // False once kill_all() ran: the command must not run.
  bool add(pid_t group);
  // True when kill_all() killed this group.
  bool remove(pid_t group);
  // SIGKILL to every running group; later add()s fail. Returns how many groups it signalled.
  size_t kill_all();
  size_t running() const;

 private:
  mutable std::mutex mu_;
  std::map<pid_t, bool> groups_;  // group → killed by kill_all()
  bool closed_ = false;
};

struct CommandRequest {
  std::string command;            // program name (looked up on PATH) or path; shell: the script
  std::vector<std::string> args;  // exec only
  std::string cwd;                // "" = the agent's working directory
  int timeout_seconds = kDefaultCommandTimeoutSeconds;  // <= 0 → default
  bool shell = false;                                   // run `/bin/sh -c <command>`
  ProcessGroups* groups = nullptr;                      // registered there while it runs
};

struct CommandResult {
  std::string stdout_text;
  std::string stderr_text;
  int exit_code = 0;  // -1 when killed by a signal (as Go reports it)
  int64_t duration_ms = 0;
};

// Absolute path of `name` on the current PATH (searched at call time, so tests can put a fake
// tool first), "" when absent. A name containing '/' is returned as is when executable.
std::string find_executable(const std::string& name);

// fork/exec with the child in its own process group, stdin from /dev/null. A non-zero exit
// status is a successful result. Errors: "command timed out after <n>s" (the whole process
// group is killed), "command killed: agent is stopping" (ProcessGroups::kill_all),
// "failed to execute command: <reason>" (not found, chdir, exec failure).
// The command never outlives this process: the child gets SIGKILL when the calling thread
// dies (PR_SET_PDEATHSIG), and a guard process kills its whole group when this process dies.
// Blocks the calling thread until the command ends.
Result<CommandResult> run_command(const CommandRequest& request);

// Job data {"command","args"?,"cwd"?,"timeout"?} → request; error text for malformed data.
Result<CommandRequest> parse_command_data(const nlohmann::ordered_json& data, bool shell);

// {"stdout","stderr","exit_code","duration_ms","changed":true}
nlohmann::ordered_json to_json(const CommandResult& result);

// Cuts `text` to kMaxCommandOutput bytes + "\n[truncated]" when longer; makes it valid UTF-8.
std::string limit_output(const std::string& text, bool truncated);

}  // namespace osapi::provider
