#include "provider/dns.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "common/strings.h"
#include "logging/logger.h"
#include "provider/command.h"
#include "provider/file_util.h"
#include "provider/unsupported.h"

namespace osapi::provider {

using json = nlohmann::ordered_json;

namespace {

constexpr int kToolTimeoutSeconds = 10;

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// "       DNS Servers: 1.1.1.1" → label "DNS Servers", rest "1.1.1.1". A label is letters and
// spaces followed by ':' and a blank or the line end (IPv6 addresses never match: no blank
// after their colons).
bool split_label(const std::string& line, std::string& label, std::string& rest) {
  size_t i = 0;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  const size_t begin = i;
  if (i >= line.size() || !std::isalpha(static_cast<unsigned char>(line[i]))) return false;
  while (i < line.size() && (std::isalpha(static_cast<unsigned char>(line[i])) || line[i] == ' '))
    ++i;
  if (i >= line.size() || line[i] != ':') return false;
  if (i + 1 < line.size() && !std::isspace(static_cast<unsigned char>(line[i + 1]))) return false;
  label = trim(line.substr(begin, i - begin));
  rest = i + 1 < line.size() ? line.substr(i + 1) : "";
  return true;
}

void default_domains(DnsConfig& c) {
  if (c.search_domains.empty()) c.search_domains = {"."};
}

// Interface names go to resolvectl as an argument: refuse anything that could read as an
// option or a path (the API allows only [A-Za-z0-9]+; POST /job allows anything).
Status check_interface(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 15 && name[0] != '-' &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                           c == '.' || c == '@' || c == ':';
                  });
  if (!ok)
    return make_error(ErrorCode::kInvalidArgument, "invalid interface name \"" + name + "\"");
  return Status::Ok();
}

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

Result<CommandResult> resolvectl(const std::string& tool, const std::vector<std::string>& args) {
  CommandRequest req;
  req.command = tool;
  req.args = args;
  req.timeout_seconds = kToolTimeoutSeconds;
  return run_command(req);
}

std::string tool_failure(const std::string& what, const CommandResult& r) {
  std::string detail = trim(r.stderr_text.empty() ? r.stdout_text : r.stderr_text);
  std::string msg = what + ": exit status " + std::to_string(r.exit_code);
  if (!detail.empty()) msg += ": " + detail;
  return msg;
}

bool mentions_no_such_device(const CommandResult& r) {
  return r.stdout_text.find("No such device") != std::string::npos ||
         r.stderr_text.find("No such device") != std::string::npos;
}

Error no_interface(const std::string& name) {
  return make_error(ErrorCode::kNotFound, "interface \"" + name + "\" does not exist");
}

// Current config from resolved only (writes never fall back to resolv.conf).
Result<DnsConfig> resolved_config(const std::string& tool, const std::string& iface) {
  auto r = resolvectl(tool, {"status", iface});
  if (!r.ok()) return r.error();
  if (mentions_no_such_device(*r)) return no_interface(iface);
  if (r->exit_code != 0)
    return make_error(ErrorCode::kUnavailable, tool_failure("resolvectl status " + iface, *r));
  DnsConfig c = parse_resolvectl_status(r->stdout_text);
  default_domains(c);
  return c;
}

std::vector<std::string> without_root_domain(const std::vector<std::string>& domains) {
  std::vector<std::string> out;
  for (const auto& d : domains)
    if (d != ".") out.push_back(d);
  return out;
}

Result<std::vector<std::string>> string_list(const json& data, const char* key, bool& present) {
  present = false;
  auto it = data.find(key);
  if (it == data.end() || it->is_null()) return std::vector<std::string>{};
  if (!it->is_array())
    return make_error(ErrorCode::kInvalidArgument, std::string("json: cannot unmarshal ") +
                                                       it->type_name() + " into field " + key +
                                                       " of type []string");
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string())
      return make_error(ErrorCode::kInvalidArgument, std::string("json: cannot unmarshal ") +
                                                         v.type_name() + " into field " + key +
                                                         " of type string");
    out.push_back(v.get<std::string>());
  }
  present = true;
  return out;
}

Result<std::string> interface_of(const json& data) {
  if (!data.is_object())
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("json: cannot unmarshal ") + data.type_name() +
                          " into Go value of type map[string]interface {}");
  auto it = data.find("interface");
  if (it == data.end() || it->is_null()) return std::string();
  if (!it->is_string())
    return make_error(ErrorCode::kInvalidArgument, std::string("json: cannot unmarshal ") +
                                                       it->type_name() +
                                                       " into field interface of type string");
  return it->get<std::string>();
}

}  // namespace

DnsConfig parse_resolvectl_status(const std::string& text) {
  DnsConfig c;
  std::vector<std::string>* current = nullptr;  // list the continuation lines belong to
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string label, rest;
    if (split_label(line, label, rest)) {
      if (label == "DNS Servers")
        current = &c.servers;
      else if (label == "DNS Domain" || label == "DNS Domains")
        current = &c.search_domains;
      else
        current = nullptr;
      if (current)
        for (auto& w : words(rest)) current->push_back(std::move(w));
      continue;
    }
    // An indented line without a label continues the previous field; anything else ends it.
    if (current && !line.empty() && std::isspace(static_cast<unsigned char>(line[0])) &&
        !trim(line).empty()) {
      for (auto& w : words(line)) current->push_back(std::move(w));
    } else {
      current = nullptr;
    }
  }
  return c;
}

DnsConfig parse_resolv_conf(const std::string& text) {
  DnsConfig c;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto w = words(line);
    if (w.empty() || w[0][0] == '#' || w[0][0] == ';') continue;
    if (w[0] == "nameserver" && w.size() >= 2) c.servers.push_back(w[1]);
    // The last search/domain line wins, as in the resolver.
    if ((w[0] == "search" || w[0] == "domain") && w.size() >= 2)
      c.search_domains.assign(w.begin() + 1, w.end());
  }
  return c;
}

Result<DnsConfig> get_dns(const std::string& interface_name, const DnsOptions& options) {
  const std::string iface = interface_name.empty() ? options.default_interface : interface_name;
  if (auto st = check_interface(iface); !st.ok()) return st.error();
  const std::string tool = find_executable("resolvectl");
  std::string why_fallback = "resolvectl not found on PATH";
  if (!tool.empty()) {
    auto r = resolvectl(tool, {"status", iface});
    if (!r.ok()) return r.error();
    if (mentions_no_such_device(*r)) return no_interface(iface);
    if (r->exit_code == 0) {
      DnsConfig c = parse_resolvectl_status(r->stdout_text);
      default_domains(c);
      return c;
    }
    why_fallback = tool_failure("resolvectl status " + iface, *r);  // resolved not running
  }
  logging::debug("resolved unavailable, reading resolv.conf",
                 {{"reason", why_fallback}, {"path", options.resolv_conf}});
  auto text = read_small_file(options.resolv_conf);
  if (!text.ok()) return text.error().wrap(why_fallback + "; fallback");
  DnsConfig c = parse_resolv_conf(*text);
  default_domains(c);
  return c;
}

Result<DnsUpdateResult> update_dns(const DnsUpdate& update, const DnsOptions& options) {
  const bool no_servers = !update.servers || update.servers->empty();
  const bool no_domains = !update.search_domains || update.search_domains->empty();
  if (no_servers && no_domains)
    return make_error(ErrorCode::kInvalidArgument,
                      "no DNS servers or search domains provided; nothing to update");
  const std::string iface =
      update.interface_name.empty() ? options.default_interface : update.interface_name;
  if (auto st = check_interface(iface); !st.ok()) return st.error();
  if (update.servers)
    for (const auto& s : *update.servers)
      if (!is_ip(s))
        return make_error(ErrorCode::kInvalidArgument, "invalid DNS server \"" + s + "\"");
  if (update.search_domains)
    for (const auto& d : *update.search_domains)
      if (d.empty() || d[0] == '-')
        return make_error(ErrorCode::kInvalidArgument, "invalid search domain \"" + d + "\"");

  const std::string tool = find_executable("resolvectl");
  // Writes need systemd-resolved; without its tool (containers) the host cannot do them.
  if (tool.empty())
    return unsupported_error("exec: \"resolvectl\": executable file not found in $PATH");
  auto current = resolved_config(tool, iface);
  if (!current.ok()) return current.error();

  const std::vector<std::string> servers =
      update.servers && !update.servers->empty() ? *update.servers : current->servers;
  const std::vector<std::string> domains = without_root_domain(
      update.search_domains && !update.search_domains->empty() ? *update.search_domains
                                                               : current->search_domains);
  DnsUpdateResult out;
  if (servers == current->servers && domains == without_root_domain(current->search_domains)) {
    out.message = "DNS configuration unchanged";
    return out;
  }
  if (!servers.empty()) {
    std::vector<std::string> args{"dns", iface};
    args.insert(args.end(), servers.begin(), servers.end());
    auto r = resolvectl(tool, args);
    if (!r.ok()) return r.error();
    if (r->exit_code != 0)
      return make_error(ErrorCode::kInternal, tool_failure("resolvectl dns " + iface, *r));
  }
  std::vector<std::string> args{"domain", iface};
  args.insert(args.end(), domains.begin(), domains.end());
  if (domains.empty()) args.push_back("");  // an empty argument clears the domains
  auto r = resolvectl(tool, args);
  if (!r.ok()) return r.error();
  if (r->exit_code != 0)
    return make_error(ErrorCode::kInternal, tool_failure("resolvectl domain " + iface, *r));
  out.changed = true;
  out.message = "DNS configuration updated successfully";
  return out;
}

Result<DnsUpdateResult> delete_dns(const std::string& interface_name, const DnsOptions& options) {
  const std::string iface = interface_name.empty() ? options.default_interface : interface_name;
  if (auto st = check_interface(iface); !st.ok()) return st.error();
  const std::string tool = find_executable("resolvectl");
  // Writes need systemd-resolved; without its tool (containers) the host cannot do them.
  if (tool.empty())
    return unsupported_error("exec: \"resolvectl\": executable file not found in $PATH");
  auto current = resolved_config(tool, iface);
  if (!current.ok()) return current.error();
  DnsUpdateResult out;
  if (current->servers.empty() && without_root_domain(current->search_domains).empty()) {
    out.message = "no DNS configuration to delete";
    return out;
  }
  auto r = resolvectl(tool, {"revert", iface});
  if (!r.ok()) return r.error();
  if (r->exit_code != 0)
    return make_error(ErrorCode::kInternal, tool_failure("resolvectl revert " + iface, *r));
  out.changed = true;
  out.message = "DNS configuration deleted successfully";
  return out;
}

Result<std::string> parse_dns_get_data(const json& data) {
  return interface_of(data);
}

Result<DnsUpdate> parse_dns_update_data(const json& data) {
  auto iface = interface_of(data);
  if (!iface.ok()) return iface.error();
  DnsUpdate u;
  u.interface_name = *iface;
  bool present = false;
  auto servers = string_list(data, "servers", present);
  if (!servers.ok()) return servers.error();
  if (present) u.servers = *servers;
  auto domains = string_list(data, "search_domains", present);
  if (!domains.ok()) return domains.error();
  if (present) u.search_domains = *domains;
  return u;
}

Result<std::string> parse_dns_delete_data(const json& data) {
  return interface_of(data);
}

json to_json(const DnsConfig& c) {
  return json{{"DNSServers", c.servers}, {"SearchDomains", c.search_domains}};
}

json to_json(const DnsUpdateResult& r) {
  return json{{"success", true}, {"changed", r.changed}, {"message", r.message}};
}

}  // namespace osapi::provider
