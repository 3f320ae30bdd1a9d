#include "agent/identity.h"

#include "provider/hostname.h"
#include "provider/machine_id.h"

namespace osapi::agent {

Result<std::string> read_agent_machine_id(const config::Config& cfg) {
  const std::string& path = cfg.agent.machine_id_file;
  if (path.empty())
    return Error(ErrorCode::kInvalidArgument, "machine id: agent.machine_id_file is empty");
  return provider::read_machine_id_file(path);
}

std::string resolve_hostname(const config::Config& cfg) {
  if (!cfg.agent.hostname.empty()) return cfg.agent.hostname;
  auto name = provider::kernel_hostname();
  if (name.ok() && !name->empty()) return *name;
  return "unknown";
}

}  // namespace osapi::agent
