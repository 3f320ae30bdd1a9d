// Command operations: exec (no shell) and shell (/bin/sh -c).
#include <algorithm>

#include "api/node_operation.h"
#include "api/ops.h"
#include "provider/command.h"

namespace osapi::api {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

constexpr long long kMinTimeout = 1;
constexpr long long kMaxTimeout = 300;

void command_fields(const job::JobResponse& r, json& item) {
  const ojson& d = r.data.is_object() ? r.data : ojson::object();
  auto num = [&](const char* key) -> json {
    auto it = d.find(key);
    return it != d.end() && it->is_number_integer() ? json(it->get<int64_t>()) : json(0);
  };
  item["duration_ms"] = num("duration_ms");
  item["exit_code"] = num("exit_code");
  item["stderr"] = string_of(d, "stderr");
  item["stdout"] = string_of(d, "stdout");
  // A command always may have changed the host.
  if (!item.contains("changed")) item["changed"] = true;
}

std::function<BuildResult(const http::Request&, const json&)> build_command(bool shell) {
  return [shell](const http::Request&, const json& body) -> BuildResult {
    const char* type = shell ? "CommandShellRequest" : "CommandExecRequest";
    const auto command = string_field(body, "command");
    const auto timeout = int_field(body, "timeout");
    Violations v(type);
    if (!command || command->empty()) v.add("Command", "required");
    if (timeout && *timeout < kMinTimeout) v.add("Timeout", "min");
    if (timeout && *timeout > kMaxTimeout) v.add("Timeout", "max");
    if (!v.empty()) return v.response();
    ojson data{{"command", *command}};
    if (!shell)
      if (auto args = string_list_field(body, "args"); args && !args->empty()) data["args"] = *args;
    if (auto cwd = string_field(body, "cwd"); cwd && !cwd->empty()) data["cwd"] = *cwd;
    if (timeout) data["timeout"] = *timeout;
    return data;
  };
}

// A command may run for its own timeout: wait for it plus a margin.
std::chrono::nanoseconds command_wait(const ojson& data, std::chrono::nanoseconds timeout) {
  long long run_for = provider::kDefaultCommandTimeoutSeconds;
  if (auto it = data.find("timeout"); it != data.end() && it->is_number_integer())
    run_for = it->get<long long>();
  return std::max<std::chrono::nanoseconds>(timeout, std::chrono::seconds(run_for + 10));
}

NodeOperation command_op(bool shell) {
  NodeOperation op{
      "POST",
      shell ? "/api/node/{hostname}/command/shell" : "/api/node/{hostname}/command/exec",
      shell ? "PostNodeCommandShell" : "PostNodeCommandExec",
      "command:execute",
      shell ? "command.shell.execute" : "command.exec.execute",
      job::OpKind::kModify,
      202,
      ChangedRule::kReported,
      shell ? "CommandShellRequest" : "CommandExecRequest",
      {}};
  if (!shell) op.body_fields.push_back({"args", FieldType::kStringList});
  op.body_fields.push_back({"command", FieldType::kString});
  op.body_fields.push_back({"cwd", FieldType::kString});
  op.body_fields.push_back({"timeout", FieldType::kInt});
  op.build = build_command(shell);
  op.fields = command_fields;
  op.wait_for = command_wait;
  return op;
}

}  // namespace

void add_command_ops(std::vector<NodeOperation>& ops) {
  ops.push_back(command_op(false));
  ops.push_back(command_op(true));
}

}  // namespace osapi::api
