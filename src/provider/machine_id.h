// Agent identity: the systemd/D-Bus machine id the agent registers under.
#pragma once

#include <string>

#include "common/result.h"

namespace osapi::provider {

// Reads <root>/etc/machine-id with surrounding whitespace trimmed. An unreadable or empty file is
// an error ("machine id: <path>: <reason>"): without an identity the agent must not start.
Result<std::string> read_machine_id(const std::string& root = "/");

// The same for an explicit file (agent.machine_id_file), with the same rules and messages.
Result<std::string> read_machine_id_file(const std::string& path);

}  // namespace osapi::provider
