// client node command exec | shell. With --stdout and/or --stderr the remote output is printed
// raw ("[<hostname>] <line>") and the command exits with the highest remote exit code.
#include <algorithm>
#include <cstdio>

#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"

namespace osapi::cli {

std::string view_command(const Json& body, const Style& style) {
  return view_results(
      body, "", {"EXIT", "STDOUT"},
      [](const Json& item) {
        const auto code = integer(item, "exit_code");
        return std::vector<std::string>{code ? std::to_string(*code) : "", str(item, "stdout")};
      },
      style);
}

RawCommandOutput view_command_raw(const Json& body, bool show_stdout, bool show_stderr,
                                  const Style& style) {
  RawCommandOutput raw;
  for (const auto& item : results_of(body)) {
    const ResultRow row = result_row(item, {});
    if (show_stdout) raw.out += prefixed_lines(row.hostname, str(item, "stdout"), style);
    if (show_stderr) raw.err += prefixed_lines(row.hostname, str(item, "stderr"), style);
    if (outcome_of(row) == Outcome::kFailed)
      raw.err += prefixed_lines(row.hostname, "error: " + row.error, style);
    const auto code = integer(item, "exit_code");
    if (code && *code > raw.exit_code) raw.exit_code = static_cast<int>(std::min(*code, 255LL));
  }
  return raw;
}

namespace {

struct CommandFlags {
  std::string command;
  std::vector<std::string> args;
  std::string cwd;
  int timeout = 30;
  bool show_stdout = false;
  bool show_stderr = false;
};

int run_command(CommandEnv& env, Context& ctx, const CommandFlags& f, bool shell) {
  if (!env.confirm_all(ctx, shell ? "execute shell command" : "execute command")) return 1;
  Json body{{"command", f.command}};
  if (!shell && !f.args.empty()) body["args"] = f.args;
  if (!f.cwd.empty()) body["cwd"] = f.cwd;
  if (f.timeout > 0) body["timeout"] = f.timeout;
  Reply r = call_ok(ctx, "POST", env.node_path(shell ? "/command/shell" : "/command/exec"), true,
                    body.dump());
  if (ctx.json || !(f.show_stdout || f.show_stderr)) return show_results(ctx, r, view_command);

  const RawCommandOutput raw = view_command_raw(r.doc, f.show_stdout, f.show_stderr, ctx.style);
  std::fwrite(raw.out.data(), 1, raw.out.size(), stdout);
  std::fflush(stdout);
  std::fwrite(raw.err.data(), 1, raw.err.size(), stderr);
  std::fflush(stderr);
  // A remote exit code says more than "n of m hosts failed"; that line is only for the case
  // where every command that ran succeeded but some host could not run it.
  if (raw.exit_code != 0) return raw.exit_code;
  return finish_results(results_of(r.doc));
}

void add_command_flags(CLI::App* cmd, CommandFlags& f, bool shell) {
  cmd->add_option("--command", f.command,
                  shell ? "command line (run by /bin/sh -c)" : "program to run")
      ->required();
  if (!shell) cmd->add_option("--args", f.args, "arguments (comma-separated)")->delimiter(',');
  cmd->add_option("--cwd", f.cwd, "working directory");
  cmd->add_option("--timeout", f.timeout, "timeout in seconds (1-300)")->capture_default_str();
  cmd->add_flag("--stdout", f.show_stdout,
                "print the remote stdout raw, each line as [hostname] line");
  cmd->add_flag("--stderr", f.show_stderr,
                "print the remote stderr raw, each line as [hostname] line");
}

}  // namespace

void add_node_command_commands(CommandEnv& env, CLI::App* node) {
  CLI::App* command = add_group(node, "command", "run commands on the target hosts");
  const auto kind = config::Command::kClientAuthenticated;

  auto& exec_flags = env.hold<CommandFlags>();
  CLI::App* exec = env.add_leaf(
      command, "exec", "run a program without a shell", kind,
      [&env, &exec_flags](Context& ctx) { return run_command(env, ctx, exec_flags, false); });
  add_command_flags(exec, exec_flags, false);

  auto& shell_flags = env.hold<CommandFlags>();
  CLI::App* shell = env.add_leaf(
      command, "shell", "run a command line with /bin/sh -c", kind,
      [&env, &shell_flags](Context& ctx) { return run_command(env, ctx, shell_flags, true); });
  add_command_flags(shell, shell_flags, true);
}

}  // namespace osapi::cli
