// Test helper: `natsserver_supervisor_runner key=value…` → run_nats_server(config) with
// the provisioning `osapi nats server start` uses.
// Keys: host port store_dir namespace bin auth users (u:p,u:p) nkeys (U…,U…) monitor_port.
#include <cstdio>
#include <string>

#include "common/strings.h"
#include "config/config.h"
#include "job/provision.h"
#include "logging/logger.h"
#include "natsserver/supervisor.h"

int main(int argc, char** argv) {
  osapi::logging::Options lo;
  lo.level = osapi::logging::Level::kDebug;
  osapi::logging::init(lo);
  osapi::config::Config cfg;
  auto& s = cfg.nats.server;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "bad argument: %s\n", argv[i]);
      return 2;
    }
    const std::string k = arg.substr(0, eq), v = arg.substr(eq + 1);
    if (k == "host")
      s.host = v;
    else if (k == "port")
      s.port = std::stoi(v);
    else if (k == "monitor_port")
      s.monitor_port = std::stoi(v);
    else if (k == "store_dir")
      s.store_dir = v;
    else if (k == "namespace")
      s.namespace_ = v;
    else if (k == "bin")
      s.bin = v;
    else if (k == "auth")
      s.auth_type = v;
    else if (k == "users") {
      for (const auto& up : osapi::split(v, ',')) {
        const auto c = up.find(':');
        s.auth_users.push_back({up.substr(0, c), up.substr(c + 1)});
      }
    } else if (k == "nkeys") {
      s.auth_nkeys = osapi::split(v, ',');
    } else {
      std::fprintf(stderr, "unknown key: %s\n", k.c_str());
      return 2;
    }
  }
  osapi::natsserver::Hooks hooks;
  hooks.provision = [&cfg](osapi::messaging::Connection& conn) {
    return osapi::job::provision(conn, cfg, cfg.nats.server.namespace_, /*update_existing=*/true);
  };
  return osapi::natsserver::run_nats_server(cfg, hooks);
}
