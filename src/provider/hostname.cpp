#include "provider/hostname.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>

#include "common/strings.h"
#include "provider/command.h"
#include "provider/file_util.h"
#include "provider/unsupported.h"

namespace osapi::provider {

Result<std::string> kernel_hostname() {
  char buf[256] = {};  // HOST_NAME_MAX is 64 on Linux
  if (::gethostname(buf, sizeof buf - 1) != 0) {
    return Error(ErrorCode::kInternal, "gethostname: " + errno_text(errno));
  }
  return to_valid_utf8(std::string(buf));
}

Result<nlohmann::ordered_json> hostname(const Labels& labels) {
  auto name = kernel_hostname();
  if (!name.ok()) return name.error();
  nlohmann::ordered_json out;
  out["hostname"] = *name;
  if (!labels.empty()) {
    nlohmann::ordered_json l = nlohmann::ordered_json::object();
    for (const auto& [k, v] : labels) l[to_valid_utf8(k)] = to_valid_utf8(v);
    out["labels"] = std::move(l);
  }
  return out;
}

namespace {

constexpr size_t kMaxHostnameLength = 253;
constexpr size_t kMaxLabelLength = 63;

Error invalid_hostname(std::string_view name, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument,
                    "invalid hostname \"" + std::string(name) + "\": " + why);
}

bool is_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
}

std::string tool_failure(const std::string& what, const CommandResult& r) {
  std::string detail = trim(r.stderr_text.empty() ? r.stdout_text : r.stderr_text);
  std::string msg = what + ": exit status " + std::to_string(r.exit_code);
  if (!detail.empty()) msg += ": " + detail;
  return msg;
}

}  // namespace

Status validate_hostname(std::string_view name) {
  if (name.empty()) return invalid_hostname(name, "empty");
  if (name.size() > kMaxHostnameLength)
    return invalid_hostname(name,
                            "longer than " + std::to_string(kMaxHostnameLength) + " characters");
  size_t begin = 0;
  while (true) {
    const size_t dot = name.find('.', begin);
    const std::string_view label =
        name.substr(begin, dot == std::string_view::npos ? std::string_view::npos : dot - begin);
    if (label.empty()) return invalid_hostname(name, "empty label");
    if (label.size() > kMaxLabelLength)
      return invalid_hostname(
          name, "label longer than " + std::to_string(kMaxLabelLength) + " characters");
    for (char c : label)
      if (!is_label_char(c))
        return invalid_hostname(name, "only letters, digits, '-' and '.' are allowed");
    if (label.front() == '-' || label.back() == '-')
      return invalid_hostname(name, "a label cannot start or end with '-'");
    if (dot == std::string_view::npos) break;
    begin = dot + 1;
  }
  return Status::Ok();
}

Result<HostnameUpdateResult> update_hostname(const std::string& name,
                                             const HostnameOptions& options) {
  if (auto st = validate_hostname(name); !st.ok()) return st.error();
  auto current = kernel_hostname();
  if (!current.ok()) return current.error();
  HostnameUpdateResult out;
  if (*current == name) return out;

  const std::string tool = find_executable(options.tool);
  // Containers and minimal images ship without hostnamectl: the host cannot be renamed here.
  if (tool.empty())
    return unsupported_error("exec: \"" + options.tool + "\": executable file not found in $PATH");
  CommandRequest req;
  req.command = tool;
  req.args = {"set-hostname", name};
  req.timeout_seconds = options.timeout_seconds;
  auto r = run_command(req);
  if (!r.ok()) return r.error();
  if (r->exit_code != 0)
    return make_error(ErrorCode::kInternal,
                      tool_failure(options.tool + " set-hostname " + name, *r));
  out.changed = true;
  return out;
}

Result<std::string> parse_hostname_update_data(const nlohmann::ordered_json& data) {
  if (!data.is_object())
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("json: cannot unmarshal ") + data.type_name() +
                          " into Go value of type map[string]interface {}");
  auto it = data.find("hostname");
  if (it == data.end() || it->is_null())
    return make_error(ErrorCode::kInvalidArgument, "missing hostname");
  if (!it->is_string())
    return make_error(ErrorCode::kInvalidArgument, std::string("json: cannot unmarshal ") +
                                                       it->type_name() +
                                                       " into field hostname of type string");
  return it->get<std::string>();
}

nlohmann::ordered_json to_json(const HostnameUpdateResult& result) {
  return nlohmann::ordered_json{{"changed", result.changed}};
}

}  // namespace osapi::provider
