// `osapi nats server start`: run nats-server as a supervised child (spec/nats.md §1).
#pragma once

#include <string>

#include "common/result.h"
#include "config/config.h"

namespace osapi::natsserver {

// Runs until SIGINT/SIGTERM (returns 0 after stopping the child) or until the child exits on
// its own or start-up fails (returns 1, with the reason logged). Call after config load,
// logging and tracing init. Blocks SIGINT/SIGTERM in the calling thread while it runs.
int run_nats_server(const config::Config& cfg);

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
