#include "cli/command_env.h"

#include <cstdio>

namespace osapi::cli {

void require_leaf(CLI::App* group) {
  group->callback([group] {
    if (group->get_subcommands().empty()) throw CLI::CallForHelp();
  });
}

void CommandEnv::client_command(const std::string& path, config::Command kind,
                                std::function<int(Context&)> body) {
  action = [this, path, kind, body = std::move(body)] {
    std::map<std::string, std::string> flags;
    if (url_opt && url_opt->count()) flags["api.client.url"] = url;
    target.target_given = target_opt && target_opt->count() > 0;
    Context ctx(g, kind, "osapi-cli", flags, false);
    std::map<std::string, std::string> attrs;
    if (target.target_given) attrs["osapi.target"] = target.target;
    ctx.start_root_span(path, attrs);
    try {
      const int code = body(ctx);
      ctx.finish(code, "");
      return code;
    } catch (const CommandError& e) {
      std::fflush(stdout);
      std::fprintf(stderr, "Error: %s\n", e.message.c_str());
      ctx.finish(e.code, e.message);
      throw CommandError{"", e.code};  // already printed
    }
  };
}

}  // namespace osapi::cli
