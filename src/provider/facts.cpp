#include "provider/facts.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

#include "common/strings.h"
#include "provider/file_util.h"

namespace osapi::provider {

using json = nlohmann::ordered_json;

namespace {

std::string under_root(const std::string& root, const std::string& rel) {
  if (root.empty() || root == "/") return "/" + rel;
  return root.back() == '/' ? root + rel : root + "/" + rel;
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > begin) out.push_back(line.substr(begin, i - begin));
  }
  return out;
}

// The kernel prints each address as the 32-bit value in memory (network byte order) formatted
// with %08X, so the parsed number is the in_addr as stored, whatever the host's endianness.
bool hex_to_ipv4(std::string_view hex, std::string& out) {
  if (hex.size() != 8) return false;
  uint32_t v = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  in_addr addr{};
  addr.s_addr = v;
  char buf[INET_ADDRSTRLEN] = {};
  if (::inet_ntop(AF_INET, &addr, buf, sizeof buf) == nullptr) return false;
  out = buf;
  return true;
}

std::string format_mac(const unsigned char* bytes, size_t len) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < len; ++i) {
    if (i > 0) out += ':';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0f];
  }
  return out;
}

// Like Go's net.Interface: no hardware address for IP tunnels (whose "address" is an IPv4 or
// IPv6 endpoint) or for links reporting all zeros.
std::string mac_of(const sockaddr_ll* ll) {
  const size_t len = ll->sll_halen;
  if (len == 0 || len == 4 || len == 16 || len > sizeof ll->sll_addr) return "";
  bool nonzero = false;
  for (size_t i = 0; i < len; ++i) nonzero = nonzero || ll->sll_addr[i] != 0;
  return nonzero ? format_mac(ll->sll_addr, len) : "";
}

struct IfaddrsDeleter {
  void operator()(ifaddrs* p) const { ::freeifaddrs(p); }
};

struct InterfaceScratch {
  NetworkInterface iface;
  std::string link_local_ipv6;  // used only when no global address turns up
};

// Field readers for facts_from_json: absent or null keeps the default.
Error wrong_type(const std::string& key, const char* want) {
  return make_error(ErrorCode::kInvalidArgument, "facts: " + key + ": expected " + want);
}

Status read_string(const json& obj, const char* key, std::string& out,
                   const std::string& where = "") {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return wrong_type(where + key, "string");
  out = it->get<std::string>();
  return Status::Ok();
}

Status read_int(const json& obj, const char* key, int& out, const std::string& where = "") {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_number_integer()) return wrong_type(where + key, "integer");
  const auto v = it->get<int64_t>();
  if (v < INT32_MIN || v > INT32_MAX) return wrong_type(where + key, "32-bit integer");
  out = static_cast<int>(v);
  return Status::Ok();
}

Status read_bool(const json& obj, const char* key, bool& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_boolean()) return wrong_type(key, "boolean");
  out = it->get<bool>();
  return Status::Ok();
}

// Null or absent → empty; otherwise an array of objects.
Result<const json*> read_object_array(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return static_cast<const json*>(nullptr);
  if (!it->is_array()) return wrong_type(key, "array");
  for (const auto& e : *it)
    if (!e.is_object()) return wrong_type(std::string(key) + "[]", "object");
  return &*it;
}

}  // namespace

std::string map_architecture(std::string_view machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  return std::string(machine);
}

std::vector<Route> parse_proc_net_route(std::string_view text) {
  std::vector<Route> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const auto f = fields_of(text.substr(pos, nl - pos));
    pos = nl + 1;
    // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
    if (f.size() < 8) continue;
    Route r;
    long long metric = 0;
    // The header fails the hex checks, as does any garbled line.
    if (!hex_to_ipv4(f[1], r.destination) || !hex_to_ipv4(f[2], r.gateway) ||
        !hex_to_ipv4(f[7], r.mask) || !parse_int64(f[6], metric) || metric < INT32_MIN ||
        metric > INT32_MAX)
      continue;
    r.interface_name = to_valid_utf8(std::string(f[0]));
    r.metric = static_cast<int>(metric);
    r.flags = to_valid_utf8(std::string(f[3]));
    out.push_back(std::move(r));
  }
  return out;
}

std::string primary_interface_of(const std::vector<Route>& routes) {
  const Route* best = nullptr;
  for (const auto& r : routes) {
    if (r.destination != "0.0.0.0" || r.mask != "0.0.0.0") continue;
    if (best == nullptr || r.metric < best->metric) best = &r;
  }
  return best != nullptr ? best->interface_name : "";
}

std::string interface_family(bool has_ipv4, bool has_ipv6) {
  if (has_ipv4 && has_ipv6) return "dual";
  if (has_ipv4) return "inet";
  if (has_ipv6) return "inet6";
  return "";
}

std::string lookup_fqdn(const std::string& hostname) {
  if (hostname.empty()) return hostname;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* res = nullptr;
  if (::getaddrinfo(hostname.c_str(), nullptr, &hints, &res) != 0 || res == nullptr)
    return hostname;
  std::string name = res->ai_canonname != nullptr ? res->ai_canonname : "";
  ::freeaddrinfo(res);
  return name.empty() ? hostname : to_valid_utf8(name);
}

std::string detect_service_mgr(const FactsOptions& options) {
  return path_exists(under_root(options.root, "run/systemd/system")) ? "systemd" : "unknown";
}

std::string detect_package_mgr(const FactsOptions& options) {
  std::string path = options.path_env;
  if (path.empty()) {
    const char* env = std::getenv("PATH");
    path = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  }
  const auto dirs = split(path, ':');
  for (const char* tool : {"apt", "dnf", "yum"}) {
    for (const auto& dir : dirs) {
      if (is_executable_file((dir.empty() ? "." : dir) + "/" + tool)) return tool;
    }
  }
  return "unknown";
}

bool detect_containerized(const FactsOptions& options) {
  return path_exists(under_root(options.root, ".dockerenv"));
}

std::vector<NetworkInterface> collect_interfaces() {
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return {};
  const std::unique_ptr<ifaddrs, IfaddrsDeleter> list(raw);

  std::vector<InterfaceScratch> found;
  std::map<std::string, size_t> index;
  for (const ifaddrs* a = list.get(); a != nullptr; a = a->ifa_next) {
    if (a->ifa_name == nullptr) continue;
    const std::string name = a->ifa_name;
    if ((a->ifa_flags & IFF_LOOPBACK) != 0 || (a->ifa_flags & IFF_UP) == 0 || name == "lo")
      continue;
    auto [it, inserted] = index.try_emplace(name, found.size());
    if (inserted) {
      found.emplace_back();
      found.back().iface.name = to_valid_utf8(name);
    }
    InterfaceScratch& s = found[it->second];
    if (a->ifa_addr == nullptr) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    switch (a->ifa_addr->sa_family) {
      case AF_PACKET:
        if (s.iface.mac.empty())
          s.iface.mac = mac_of(reinterpret_cast<const sockaddr_ll*>(a->ifa_addr));
        break;
      case AF_INET: {
        const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
        if (s.iface.ipv4.empty() && ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf))
          s.iface.ipv4 = buf;
        break;
      }
      case AF_INET6: {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
        if (::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf) == nullptr) break;
        if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)) {
          if (s.link_local_ipv6.empty()) s.link_local_ipv6 = buf;
        } else if (s.iface.ipv6.empty()) {
          s.iface.ipv6 = buf;
        }
        break;
      }
      default:
        break;
    }
  }
  std::vector<NetworkInterface> out;
  out.reserve(found.size());
  for (auto& s : found) {
    if (s.iface.ipv6.empty()) s.iface.ipv6 = s.link_local_ipv6;
    s.iface.family = interface_family(!s.iface.ipv4.empty(), !s.iface.ipv6.empty());
    out.push_back(std::move(s.iface));
  }
  return out;
}

Facts collect_facts(const FactsOptions& options) {
  Facts f;
  struct utsname u {};
  if (::uname(&u) == 0) {
    f.architecture = map_architecture(u.machine);
    f.kernel_version = to_valid_utf8(u.release);
  }
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  f.cpu_count = cpus > 0 ? static_cast<int>(cpus) : 0;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) f.fqdn = lookup_fqdn(host);
  f.service_mgr = detect_service_mgr(options);
  f.package_mgr = detect_package_mgr(options);
  f.containerized = detect_containerized(options);
  f.interfaces = collect_interfaces();
  if (auto text = read_small_file(under_root(options.root, "proc/net/route")); text.ok()) {
    f.routes = parse_proc_net_route(*text);
  }
  f.primary_interface = primary_interface_of(f.routes);
  return f;
}

json to_json(const Facts& f) {
  json interfaces = json::array();
  for (const auto& i : f.interfaces) {
    json o;
    o["name"] = i.name;
    if (!i.ipv4.empty()) o["ipv4"] = i.ipv4;
    if (!i.ipv6.empty()) o["ipv6"] = i.ipv6;
    if (!i.mac.empty()) o["mac"] = i.mac;
    if (!i.family.empty()) o["family"] = i.family;
    interfaces.push_back(std::move(o));
  }
  json routes = json::array();
  for (const auto& r : f.routes) {
    routes.push_back(json{{"destination", r.destination},
                          {"gateway", r.gateway},
                          {"interface", r.interface_name},
                          {"mask", r.mask},
                          {"metric", r.metric},
                          {"flags", r.flags}});
  }
  json out;
  out["architecture"] = f.architecture;
  out["kernel_version"] = f.kernel_version;
  out["cpu_count"] = f.cpu_count;
  out["fqdn"] = f.fqdn;
  out["service_mgr"] = f.service_mgr;
  out["package_mgr"] = f.package_mgr;
  out["containerized"] = f.containerized;
  out["interfaces"] = std::move(interfaces);
  out["routes"] = std::move(routes);
  out["primary_interface"] = f.primary_interface;
  return out;
}

Result<Facts> facts_from_json(const json& j) {
  if (!j.is_object()) return make_error(ErrorCode::kInvalidArgument, "facts: expected an object");
  Facts f;
  for (auto [key, field] :
       {std::pair{"architecture", &f.architecture}, std::pair{"kernel_version", &f.kernel_version},
        std::pair{"fqdn", &f.fqdn}, std::pair{"service_mgr", &f.service_mgr},
        std::pair{"package_mgr", &f.package_mgr},
        std::pair{"primary_interface", &f.primary_interface}}) {
    if (auto st = read_string(j, key, *field); !st.ok()) return st.error();
  }
  if (auto st = read_int(j, "cpu_count", f.cpu_count); !st.ok()) return st.error();
  if (auto st = read_bool(j, "containerized", f.containerized); !st.ok()) return st.error();

  auto interfaces = read_object_array(j, "interfaces");
  if (!interfaces.ok()) return interfaces.error();
  if (*interfaces != nullptr) {
    for (const auto& e : **interfaces) {
      NetworkInterface i;
      for (auto [key, field] :
           {std::pair{"name", &i.name}, std::pair{"ipv4", &i.ipv4}, std::pair{"ipv6", &i.ipv6},
            std::pair{"mac", &i.mac}, std::pair{"family", &i.family}}) {
        if (auto st = read_string(e, key, *field, "interfaces[]."); !st.ok()) return st.error();
      }
      f.interfaces.push_back(std::move(i));
    }
  }
  auto routes = read_object_array(j, "routes");
  if (!routes.ok()) return routes.error();
  if (*routes != nullptr) {
    for (const auto& e : **routes) {
      Route r;
      for (auto [key, field] :
           {std::pair{"destination", &r.destination}, std::pair{"gateway", &r.gateway},
            std::pair{"interface", &r.interface_name}, std::pair{"mask", &r.mask},
            std::pair{"flags", &r.flags}}) {
        if (auto st = read_string(e, key, *field, "routes[]."); !st.ok()) return st.error();
      }
      if (auto st = read_int(e, "metric", r.metric, "routes[]."); !st.ok()) return st.error();
      f.routes.push_back(std::move(r));
    }
  }
  return f;
}

}  // namespace osapi::provider
