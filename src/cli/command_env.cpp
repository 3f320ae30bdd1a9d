#include "cli/command_env.h"

#include <cstdio>
#include <iostream>

#include "cli/api_call.h"

namespace osapi::cli {

std::string command_path(const CLI::App* app) {
  std::string path;
  for (const CLI::App* a = app; a != nullptr && a->get_parent() != nullptr; a = a->get_parent())
    path = path.empty() ? a->get_name() : a->get_name() + " " + path;
  return path;
}

void require_leaf(CLI::App* group) {
  group->callback([group] {
    if (group->get_subcommands().empty()) throw CLI::CallForHelp();
  });
}

CLI::App* add_group(CLI::App* parent, const std::string& name, const std::string& help) {
  CLI::App* group = parent->add_subcommand(name, help);
  require_leaf(group);
  return group;
}

void CommandEnv::client_command(const std::string& path, config::Command kind,
                                std::function<int(Context&)> body) {
  action = [this, path, kind, body = std::move(body)] {
    std::map<std::string, std::string> flags;
    if (url_opt && url_opt->count()) flags["controller.client.url"] = url;
    Context ctx(g, kind, "osapi-cli", flags, false);
    std::map<std::string, std::string> attrs;
    if (target_opt && target_opt->count()) attrs["osapi.target"] = target;
    ctx.start_root_span(path, attrs);
    try {
      const int code = body(ctx);
      ctx.finish(code, "");
      return code;
    } catch (const CommandError& e) {
      std::fflush(stdout);
      if (!e.message.empty()) std::fprintf(stderr, "Error: %s\n", e.message.c_str());
      ctx.finish(e.code, e.message);
      throw CommandError{"", e.code};  // already printed
    }
  };
}

CLI::App* CommandEnv::add_leaf(CLI::App* group, const std::string& name, const std::string& help,
                               config::Command kind, std::function<int(Context&)> body) {
  CLI::App* leaf = group->add_subcommand(name, help);
  leaf->callback([this, leaf, kind, body = std::move(body)] {
    client_command(command_path(leaf), kind, body);
  });
  return leaf;
}

std::string CommandEnv::node_path(const std::string& suffix) const {
  return "/api/node/" + url_encode(target) + suffix;
}

bool CommandEnv::confirm_all(const Context& ctx, const std::string& what) const {
  if (target != "_all") return true;
  FILE* out = ctx.json ? stderr : stdout;
  std::fprintf(out, "This will %s on ALL hosts. Continue? [y/N] ", what.c_str());
  std::fflush(out);
  std::string answer;
  if (std::cin >> answer && (answer == "y" || answer == "Y")) return true;
  std::fprintf(stderr, "Aborted.\n");
  return false;
}

}  // namespace osapi::cli
