// POST /command/exec, POST /command/shell (spec/rest-api.md §10; job-backed semantics §6).
#include <algorithm>

#include "api/authz.h"
#include "api/handlers.h"
#include "api/validation.h"
#include "api/validators.h"
#include "http/binding.h"
#include "provider/command.h"

namespace osapi::api {

// Items use nlohmann::json (sorted keys): upstream emits keys alphabetically.
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

constexpr long long kMinTimeout = 1;
constexpr long long kMaxTimeout = 300;

struct CommandRoute {
  bool shell;
  const char* request_type;  // validator <Type> of the body
  const char* params_type;   // validator <Type> of the query
  const char* op_type;
};

json result_item(const job::JobResponse& r) {
  const ojson& d = r.data.is_object() ? r.data : ojson::object();
  bool changed = true;  // command jobs always change the host (spec/agent.md §5)
  if (r.changed)
    changed = *r.changed;
  else if (d.contains("changed") && d["changed"].is_boolean())
    changed = d["changed"].get<bool>();
  auto num = [&](const char* key) -> json {
    auto it = d.find(key);
    return it != d.end() && it->is_number_integer() ? json(it->get<int64_t>()) : json(0);
  };
  auto text = [&](const char* key) -> std::string {
    auto it = d.find(key);
    return it != d.end() && it->is_string() ? it->get<std::string>() : "";
  };
  return json{{"changed", changed},
              {"duration_ms", num("duration_ms")},
              {"exit_code", num("exit_code")},
              {"hostname", r.hostname},
              {"stderr", text("stderr")},
              {"stdout", text("stdout")}};
}

http::Response run_command_route(ApiContext& ctx, http::Request& req, const CommandRoute& route) {
  auto body = http::decode_json_body(req);
  if (!body) return body.response();
  std::vector<BodyField> fields{
      {"command", FieldType::kString}, {"cwd", FieldType::kString}, {"timeout", FieldType::kInt}};
  if (!route.shell) fields.insert(fields.begin(), BodyField{"args", FieldType::kStringList});
  if (auto bad = check_body_types(*body, req.body, route.request_type, fields)) return *bad;
  if (auto denied = authorize(req, ctx, "command:execute")) return *denied;

  const auto command = string_field(*body, "command");
  const auto timeout = int_field(*body, "timeout");
  Violations v(route.request_type);
  if (!command || command->empty()) v.add("Command", "required");
  if (timeout && *timeout < kMinTimeout) v.add("Timeout", "min");
  if (timeout && *timeout > kMaxTimeout) v.add("Timeout", "max");
  if (!v.empty()) return v.response();
  auto bound = bind_target(req, ctx, route.params_type);
  if (bound.error) return *bound.error;

  ojson data{{"command", *command}};
  if (!route.shell)
    if (auto args = string_list_field(*body, "args"); args && !args->empty()) data["args"] = *args;
  if (auto cwd = string_field(*body, "cwd"); cwd && !cwd->empty()) data["cwd"] = *cwd;
  if (timeout) data["timeout"] = *timeout;

  // A command may run for its own timeout; wait for it plus a margin (spec/jobs.md §7).
  const long long run_for = timeout.value_or(provider::kDefaultCommandTimeoutSeconds);
  job::WaitOptions wait;
  wait.timeout = std::chrono::seconds(std::max(30LL, run_for + 10));
  const job::Target& target = *bound.target;
  if (target.broadcast()) wait.expected_hosts = ctx.registry->expected_hosts(target);
  auto outcome = ctx.jobs->run(ojson{{"type", route.op_type}, {"data", data}}, target,
                               job::OpKind::kModify, wait);
  if (!outcome.ok()) return job_error(outcome.error());
  json results = json::array();
  for (const auto& r : outcome->responses) {
    if (r.status == "failed") {
      if (!target.broadcast()) return http::Response::app_error(500, "job failed: " + r.error);
      results.push_back(json{{"error", r.error}, {"hostname", r.hostname}});
      continue;
    }
    results.push_back(result_item(r));
  }
  return http::Response::json(202, json{{"job_id", outcome->job_id}, {"results", results}});
}

}  // namespace

http::Response post_command_exec(ApiContext& ctx, http::Request& req) {
  static const CommandRoute route{false, "CommandExecRequest", "PostCommandExecParams",
                                  "command.exec.execute"};
  return run_command_route(ctx, req, route);
}

http::Response post_command_shell(ApiContext& ctx, http::Request& req) {
  static const CommandRoute route{true, "CommandShellRequest", "PostCommandShellParams",
                                  "command.shell.execute"};
  return run_command_route(ctx, req, route);
}

}  // namespace osapi::api
