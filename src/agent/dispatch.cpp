#include "agent/dispatch.h"

#include "provider/command.h"
#include "provider/disk.h"
#include "provider/dns.h"
#include "provider/hostname.h"
#include "provider/load.h"
#include "provider/memory.h"
#include "provider/os_info.h"
#include "provider/ping.h"
#include "provider/status.h"
#include "provider/unsupported.h"
#include "provider/uptime.h"

namespace osapi::agent {

bool split_type(const std::string& type, std::string& category, std::string& operation) {
  const auto dot = type.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 >= type.size()) return false;
  category = type.substr(0, dot);
  operation = type.substr(dot + 1);
  return true;
}

namespace {

DispatchResult failure(const Error& e, const std::string& wrap) {
  DispatchResult out;
  if (provider::is_unsupported(e)) {
    out.skipped = true;
    out.error = e.message;
  } else {
    out.error = wrap + ": " + e.message;
  }
  return out;
}

DispatchResult from(const Result<json>& r, const std::string& wrap) {
  if (!r.ok()) return failure(r.error(), wrap);
  DispatchResult out;
  out.ok = true;
  out.data = *r;
  return out;
}

template <typename T>
DispatchResult with_json(const Result<T>& r, const std::string& wrap) {
  if (!r.ok()) return failure(r.error(), wrap);
  return from(Result<json>(provider::to_json(*r)), wrap);
}

DispatchResult permanent(std::string error) {
  DispatchResult out;
  out.error = std::move(error);
  out.permanent = true;
  return out;
}

// "hostname.update" → "hostname"
std::string op_of(const std::string& operation) {
  return operation.substr(0, operation.find('.'));
}

// "dns.get" → "get"; "" when there is no second segment.
std::string verb_of(const std::string& operation) {
  const auto dot = operation.find('.');
  if (dot == std::string::npos) return "";
  const auto end = operation.find('.', dot + 1);
  return operation.substr(dot + 1, end == std::string::npos ? std::string::npos : end - dot - 1);
}

DispatchResult set_hostname(const json& data) {
  auto name = provider::parse_hostname_update_data(data);
  if (!name.ok()) return permanent("invalid hostname update data: " + name.error().message);
  auto r = provider::update_hostname(*name);
  if (!r.ok()) {
    DispatchResult out = failure(r.error(), "failed to set hostname");
    out.permanent = r.error().code == ErrorCode::kInvalidArgument;  // a bad name stays bad
    return out;
  }
  DispatchResult out;
  out.ok = true;
  out.data = json{{"hostname", *name}, {"changed", r->changed}};
  return out;
}

DispatchResult node(const std::string& operation, const json& data, const DispatchContext& ctx) {
  const std::string op = op_of(operation);
  if (op == "hostname") {
    if (ctx.modify) return set_hostname(data);
    return from(provider::hostname(ctx.labels), "failed to get hostname");
  }
  if (op == "status") {
    DispatchResult r;  // a failing part is null inside the result, never a job error
    r.ok = true;
    r.data = provider::status();
    return r;
  }
  if (op == "uptime") return from(provider::uptime(), "failed to get uptime");
  if (op == "os" || op == "osinfo") return from(provider::os_info(), "failed to get OS info");
  if (op == "disk") return from(provider::disk(), "failed to get disk usage");
  if (op == "memory" || op == "mem") return from(provider::memory(), "failed to get memory stats");
  if (op == "load") return from(provider::load(), "failed to get load averages");
  return permanent("unsupported node operation: " + operation);
}

DispatchResult network(const std::string& operation, const json& data) {
  const std::string op = op_of(operation);
  const std::string verb = verb_of(operation);
  if (op == "dns" && verb == "get") {
    auto iface = provider::parse_dns_get_data(data);
    if (!iface.ok()) return permanent("failed to parse DNS data: " + iface.error().message);
    return with_json(provider::get_dns(*iface), "failed to get DNS config");
  }
  if (op == "dns" && verb == "update") {
    auto update = provider::parse_dns_update_data(data);
    if (!update.ok()) return permanent("failed to parse DNS data: " + update.error().message);
    return with_json(provider::update_dns(*update), "failed to set DNS config");
  }
  if (op == "dns" && verb == "delete") {
    auto iface = provider::parse_dns_delete_data(data);
    if (!iface.ok()) return permanent("failed to parse DNS data: " + iface.error().message);
    return with_json(provider::delete_dns(*iface), "failed to delete DNS config");
  }
  if (op == "ping") {
    auto address = provider::parse_ping_data(data);
    if (!address.ok()) return permanent("ping failed: " + address.error().message);
    return with_json(provider::ping(*address), "ping failed");
  }
  return permanent("unsupported network operation: " + operation);
}

DispatchResult command(const std::string& operation, const json& data, const DispatchContext& ctx) {
  const std::string op = op_of(operation);
  if (op != "exec" && op != "shell")
    return permanent("unsupported command operation: " + operation);
  const bool shell = op == "shell";
  const std::string wrap = shell ? "command shell failed" : "command exec failed";
  auto request = provider::parse_command_data(data, shell);
  if (!request.ok()) return permanent(wrap + ": " + request.error().message);
  request->groups = ctx.commands;
  return with_json(provider::run_command(*request), wrap);
}

}  // namespace

DispatchResult dispatch(const std::string& type, const json& data, const DispatchContext& ctx) {
  std::string category, operation;
  if (!split_type(type, category, operation))
    return permanent("invalid operation type format: " + type);
  if (category == "node") return node(operation, data, ctx);
  if (category == "network") return network(operation, data);
  if (category == "command") return command(operation, data, ctx);
  return permanent("unsupported job category: " + category);
}

}  // namespace osapi::agent
