#include "cli/app.h"

#include <signal.h>
#include <sys/utsname.h>

#include <cstdio>
#include <functional>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/command_env.h"
#include "cli/context.h"
#include "cli/server_commands.h"
#include "cli/token_commands.h"
#include "common/version.h"

namespace osapi::cli {

namespace {

// Blocks SIGINT/SIGTERM before any thread starts, so server roles can sigwait for them.
void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// The build as JSON, printed whatever --json says, with the keys of upstream's version
// output; what the build does not record (commit, date) is left out rather than made up.
std::string version_json() {
  utsname u{};
  std::string arch = ::uname(&u) == 0 ? u.machine : "unknown";
  if (arch == "x86_64") arch = "amd64";
  if (arch == "aarch64") arch = "arm64";
  nlohmann::ordered_json j;
  j["gitVersion"] = osapi::version();
#ifdef __clang__
  j["compiler"] = std::string("clang ") + __clang_version__;
#else
  j["compiler"] = std::string("g++ ") + __VERSION__;
#endif
  j["platform"] = "linux/" + arch;
  return j.dump(2);
}

std::string join_csv(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"osapi: Linux system management with end-to-end tracing", "osapi"};
  app.require_subcommand(0, 1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("osapi ") + osapi::version());

  CommandEnv env;
  GlobalFlags& g = env.g;
  std::function<int()>& action = env.action;
  app.add_option("-f,--osapi-file", g.file, "config file (default /etc/osapi/osapi.yaml)");
  app.add_flag("-d,--debug", g.debug, "debug logging; turns tracing on");
  app.add_flag("-j,--json", g.json, "machine-readable output");

  // version
  app.add_subcommand("version", "print the build as JSON (needs no config)")->callback([&] {
    action = [] {
      std::printf("%s\n", version_json().c_str());
      return 0;
    };
  });

  // controller start
  int controller_port = 8080;
  auto* controller = app.add_subcommand("controller", "the controller: REST API and web UI");
  controller->fallthrough();
  require_leaf(controller);
  auto* port_opt = controller->add_option("-p,--port", controller_port, "API listen port");
  controller->add_subcommand("start", "start the controller")->callback([&] {
    action = [&] {
      std::map<std::string, std::string> flags;
      if (port_opt->count()) flags["controller.api.port"] = std::to_string(controller_port);
      block_stop_signals();
      Context ctx(g, config::Command::kController, "osapi-controller", flags, false);
      return run_controller_command(ctx);
    };
  });

  // nats server start
  auto* nats = app.add_subcommand("nats", "NATS broker");
  require_leaf(nats);
  auto* nats_server = nats->add_subcommand("server", "NATS broker");
  require_leaf(nats_server);
  nats_server->add_subcommand("start", "start nats-server and provision JetStream")->callback([&] {
    action = [&] {
      block_stop_signals();
      Context ctx(g, config::Command::kNatsServer, "osapi-nats", {}, false);
      return run_nats_server_command(ctx);
    };
  });

  // agent start
  auto* agent = app.add_subcommand("agent", "the agent of this host");
  agent->fallthrough();
  require_leaf(agent);
  struct AgentFlag {
    const char* name;
    const char* key;
    std::string value;
    CLI::Option* opt = nullptr;
  };
  std::vector<AgentFlag> agent_flags = {
      {"--agent-host", "agent.nats.host", ""},
      {"--agent-port", "agent.nats.port", ""},
      {"--agent-client-name", "agent.nats.client_name", ""},
      {"--agent-queue-group", "agent.queue_group", ""},
      {"--agent-hostname", "agent.hostname", ""},
      {"--agent-max-jobs", "agent.max_jobs", ""},
      {"--consumer-max-deliver", "agent.consumer.max_deliver", ""},
      {"--consumer-ack-wait", "agent.consumer.ack_wait", ""},
      {"--consumer-max-ack-pending", "agent.consumer.max_ack_pending", ""},
      {"--consumer-replay-policy", "agent.consumer.replay_policy", ""},
  };
  for (auto& f : agent_flags) f.opt = agent->add_option(f.name, f.value);
  std::vector<std::string> back_off;
  auto* back_off_opt = agent->add_option("--consumer-back-off", back_off)->delimiter(',');
  agent->add_subcommand("start", "start the agent")->callback([&] {
    action = [&] {
      std::map<std::string, std::string> flags;
      for (const auto& f : agent_flags)
        if (f.opt->count()) flags[f.key] = f.value;
      if (back_off_opt->count()) flags["agent.consumer.back_off"] = join_csv(back_off);
      block_stop_signals();
      Context ctx(g, config::Command::kAgent, "osapi-agent", flags, false);
      return run_agent_command(ctx);
    };
  });

  // start: NATS, controller and agent in one process
  app.add_subcommand("start", "run NATS, the controller and an agent on this machine")
      ->callback([&] {
        action = [&] {
          block_stop_signals();
          Context ctx(g, config::Command::kStart, "osapi", {}, false);
          return run_start_command(ctx);
        };
      });

  // job (empty group)
  require_leaf(app.add_subcommand("job", "job commands (see client job)"));

  // token generate | validate
  auto* token = app.add_subcommand("token", "mint and inspect JWTs");
  token->fallthrough();
  require_leaf(token);
  TokenGenerateFlags tg;
  auto* tgen = token->add_subcommand("generate", "mint a token");
  tgen->add_option("-r,--roles", tg.roles, "roles")->required()->delimiter(',');
  tgen->add_option("-u,--subject", tg.subject, "subject")->required();
  tgen->add_option("-p,--permissions", tg.permissions, "direct permissions")->delimiter(',');
  tgen->callback([&] {
    action = [&] {
      Context ctx(g, config::Command::kToken, "osapi-cli", {}, false);
      return token_generate(ctx, tg);
    };
  });
  std::string token_text;
  auto* tval = token->add_subcommand("validate", "verify a token");
  tval->add_option("-t,--token", token_text, "token")->required();
  tval->callback([&] {
    action = [&] {
      Context ctx(g, config::Command::kToken, "osapi-cli", {}, false);
      return token_validate(ctx, token_text);
    };
  });

  // client … and completion
  add_client_commands(app, env);
  add_completion_command(app, env);

  if (argc <= 1) {
    std::cout << app.help();
    return 0;
  }
  // "osapi help [command…]" → the command's --help.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args[0] == "help") {
    args.erase(args.begin());
    args.push_back("--help");
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector

  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, std::cout, std::cerr) == 0 ? 0 : 1;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "Error: %s\nRun 'osapi --help' for usage.\n", e.what());
    return 1;
  }
  if (!action) {
    std::cout << app.help();
    return 0;
  }
  try {
    return action();
  } catch (const CommandError& e) {
    if (!e.message.empty()) std::fprintf(stderr, "Error: %s\n", e.message.c_str());
    return e.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Error: %s\n", e.what());
    return 1;
  }
}

}  // namespace osapi::cli
