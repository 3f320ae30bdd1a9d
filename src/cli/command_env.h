// Shared state of the command tree while it is built and parsed. Each `client` command group
// adds its commands in its own file (client_<group>.cpp) through this.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace osapi::cli {

struct CommandEnv {
  GlobalFlags g;
  std::function<int()> action;  // set by the chosen leaf's callback, run after parsing

  CLI::App* client = nullptr;  // the `client` group
  std::string url;             // client --url
  CLI::Option* url_opt = nullptr;
  std::string target = "_all";  // client node -T/--target
  CLI::Option* target_opt = nullptr;

  // Storage for a command's flag values: CLI11 binds options to references, which must live
  // until the command has run.
  template <typename T>
  T& hold(T value = T{}) {
    auto p = std::make_shared<T>(std::move(value));
    storage_.push_back(p);
    return *p;
  }

  // Makes `action` run `body` as the client command `path` ("client node hostname get"):
  // config load (`kind` decides the required keys), the CLI root span "osapi <path>", one
  // "Error: …" line and exit 1 on failure.
  void client_command(const std::string& path, config::Command kind,
                      std::function<int(Context&)> body);

  // A leaf `name` under `group` whose body runs as a client command named after its place in
  // the tree.
  CLI::App* add_leaf(CLI::App* group, const std::string& name, const std::string& help,
                     config::Command kind, std::function<int(Context&)> body);

  // "/api/node/<target>" + suffix, the target percent-encoded.
  std::string node_path(const std::string& suffix) const;

  // For a mutation aimed at `_all` exactly: asks "This will <what> on ALL hosts. Continue?
  // [y/N]" and reads one word from stdin; only y/Y goes on. Declined or stdin closed: prints
  // "Aborted." to stderr and returns false. Other targets (labels included) are not asked.
  // The question goes to stdout, or to stderr with --json so stdout stays one JSON document.
  bool confirm_all(const Context& ctx, const std::string& what) const;

 private:
  std::vector<std::shared_ptr<void>> storage_;
};

// "client node hostname get": the names from below the root down to `app`.
std::string command_path(const CLI::App* app);

// A group that prints its help when given no subcommand.
void require_leaf(CLI::App* group);
// add_subcommand + require_leaf.
CLI::App* add_group(CLI::App* parent, const std::string& name, const std::string& help);

// The `client` group and everything below it (client.cpp).
void add_client_commands(CLI::App& app, CommandEnv& env);
// The root `completion` command (completion.cpp).
void add_completion_command(CLI::App& app, CommandEnv& env);

// One function per command group, each in the file named after the group.
void add_health_commands(CommandEnv& env);      // client health
void add_agent_commands(CommandEnv& env);       // client agent
void add_controller_commands(CommandEnv& env);  // client controller
void add_nats_commands(CommandEnv& env);        // client nats
void add_job_commands(CommandEnv& env);         // client job
void add_audit_commands(CommandEnv& env);       // client audit
void add_node_commands(CommandEnv& env);        // client node (and the groups below it)
void add_node_disk_commands(CommandEnv& env, CLI::App* node);
void add_node_memory_commands(CommandEnv& env, CLI::App* node);
void add_node_load_commands(CommandEnv& env, CLI::App* node);
void add_node_os_commands(CommandEnv& env, CLI::App* node);
void add_node_uptime_commands(CommandEnv& env, CLI::App* node);
void add_node_hostname_commands(CommandEnv& env, CLI::App* node);
void add_node_command_commands(CommandEnv& env, CLI::App* node);
void add_node_network_commands(CommandEnv& env, CLI::App* node);
void add_node_network_dns_commands(CommandEnv& env, CLI::App* network);

}  // namespace osapi::cli
