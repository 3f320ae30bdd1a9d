// Who holds a TCP port: a pre-flight check before nats-server starts, so a broker left running
// (say, by an older supervisor that died) is reported in one line instead of a failed child.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.h"

namespace osapi::natsserver {

struct PortHolder {
  pid_t pid = 0;
  std::string command;  // /proc/<pid>/comm
};

// The process with a listening TCP socket on `port` (any address, IPv4 or IPv6) in our network
// namespace; nullopt when none is found or its /proc entries are not ours to read.
std::optional<PortHolder> find_port_holder(int port);

// kUnavailable "<host>:<port>: address already in use, held by pid N (nats-server); …" when a
// listener could not bind host:port now (with SO_REUSEADDR, as nats-server binds). Ok when it
// could, or when the host does not resolve (nats-server reports that itself).
Status check_port_free(const std::string& host, int port);

}  // namespace osapi::natsserver
