// `osapi nats server start`: run nats-server as a supervised child, provision JetStream.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "messaging/nats.h"

namespace osapi::natsserver {

// Runs until SIGINT/SIGTERM (returns 0 after stopping the child), or until start-up fails or
// the child keeps dying (returns 1, with the reason logged). A child that dies on its own is
// started again on the same store and provisioned again, after a pause that grows while it
// keeps failing; after_ready and before_stop are not run for a restart. Call after config load,
// logging and tracing init. Blocks SIGINT/SIGTERM in the calling thread while it runs.
// The child dies with the calling thread (a kill -9 of the supervisor included), so call it
// from the thread that lives until it returns: the main thread in `osapi`.
// The supervisor only runs the broker; what lives in it comes through the hooks:
// `provision` once the server answers (creates the streams and buckets; an error stops it,
// exit 1), then `after_ready` with the supervisor's own connection (open until the child
// stops; it reconnects across a restart of the child) and the child's pid (the current one,
// after a restart), where `osapi start` starts the controller and the agent, and
// `before_stop` before the child is stopped (signal or child exit).
struct Ready {
  messaging::Connection& conn;
  std::function<int()> pid;
};
struct Hooks {
  std::function<Status(messaging::Connection&)> provision;
  std::function<Status(const Ready&)> after_ready;
  std::function<void()> before_stop;
};
int run_nats_server(const config::Config& cfg, const Hooks& hooks = {});

// nats.server.bin: a path when it contains '/', else searched in PATH, else
// /usr/sbin/nats-server. kNotFound when there is no executable.
Result<std::string> resolve_server_binary(const std::string& bin);

// Maps a nats-server log line ("[123] 2024/… [WRN] text") to our level and message text.
struct ServerLogLine {
  int level = 1;  // logging::Level as int: 0 debug, 1 info, 2 warn, 3 error
  std::string text;
};
ServerLogLine parse_server_log_line(const std::string& line);

}  // namespace osapi::natsserver
