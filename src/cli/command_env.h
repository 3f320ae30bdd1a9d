// Shared state of the command tree while it is built and parsed. Each area adds its client
// commands in its own file (commands_<area>.cpp) through this.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/client_commands.h"
#include "cli/context.h"

namespace osapi::cli {

struct CommandEnv {
  GlobalFlags g;
  std::function<int()> action;  // set by the chosen leaf's callback, run after parsing

  CLI::App* client = nullptr;  // the `client` group
  ClientFlags target;          // -T/--target
  std::string url;
  CLI::Option* url_opt = nullptr;
  CLI::Option* target_opt = nullptr;

  // Makes `action` run `body` as a client command: config load (`kind` decides the required
  // keys), the CLI root span "osapi <path>", one "Error: …" line and exit 1 on failure.
  void client_command(const std::string& path, config::Command kind,
                      std::function<int(Context&)> body);
};

// A group that prints its help when given no subcommand (spec/cli.md §1).
void require_leaf(CLI::App* group);

void add_health_commands(CommandEnv& env);
void add_node_commands(CommandEnv& env);
void add_job_commands(CommandEnv& env);
void add_audit_commands(CommandEnv& env);
void add_network_commands(CommandEnv& env);
void add_command_commands(CommandEnv& env);
// client metrics and the root `completion` command (commands_misc.cpp, with client health).
void add_misc_commands(CommandEnv& env);

}  // namespace osapi::cli
