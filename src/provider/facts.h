// Agent facts: what a host is (architecture, kernel, network layout, tooling), gathered at agent
// start and periodically, stored in the facts KV and used to resolve @fact. references.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace osapi::provider {

struct FactsOptions {
  std::string root = "/";  // proc/net/route, run/systemd/system and .dockerenv are read below it
  std::string path_env;    // PATH searched for package managers; "" = the process's PATH
};

struct NetworkInterface {
  std::string name;
  std::string ipv4;    // first IPv4 address, "" when none
  std::string ipv6;    // first global IPv6 address (a link-local one when there is no other)
  std::string mac;     // aa:bb:cc:dd:ee:ff, "" when the link has no hardware address
  std::string family;  // inet, inet6, dual; "" when the interface has no address
};

struct Route {
  std::string destination;  // dotted IPv4
  std::string gateway;      // dotted IPv4, 0.0.0.0 for on-link routes
  std::string interface_name;
  std::string mask;  // dotted IPv4
  int metric = 0;
  std::string flags;  // the kernel's hex RTF_* flags as printed, e.g. "0003"
};

struct Facts {
  std::string architecture;    // Go naming: amd64, arm64, …
  std::string kernel_version;  // uname release
  int cpu_count = 0;
  std::string fqdn;
  std::string service_mgr;  // systemd | unknown
  std::string package_mgr;  // apt | dnf | yum | unknown
  bool containerized = false;
  std::vector<NetworkInterface> interfaces;
  std::vector<Route> routes;
  std::string primary_interface;  // "" when there is no default route
};

// Collects every fact. Parts that cannot be read are left empty (a host without
// /proc/net/route still has an architecture); nothing here fails the agent.
Facts collect_facts(const FactsOptions& options = {});

// uname machine → Go's GOARCH spelling: x86_64 → amd64, aarch64 → arm64, anything else as is.
std::string map_architecture(std::string_view machine);

// /proc/net/route text → routes. The header line and malformed lines are skipped.
std::vector<Route> parse_proc_net_route(std::string_view text);

// Interface of the default route (destination and mask 0.0.0.0) with the lowest metric, the
// first one on a tie; "" when there is none.
std::string primary_interface_of(const std::vector<Route>& routes);

// inet / inet6 / dual from which addresses are present; "" when neither.
std::string interface_family(bool has_ipv4, bool has_ipv6);

// Canonical name of `hostname` (getaddrinfo AI_CANONNAME); `hostname` itself when the lookup
// fails or gives nothing.
std::string lookup_fqdn(const std::string& hostname);

// systemd when <root>/run/systemd/system exists, else unknown.
std::string detect_service_mgr(const FactsOptions& options = {});
// The first of apt, dnf, yum found as an executable on the PATH, else unknown.
std::string detect_package_mgr(const FactsOptions& options = {});
// True when <root>/.dockerenv exists.
bool detect_containerized(const FactsOptions& options = {});
// Up, non-loopback interfaces from getifaddrs, in the order the kernel lists them.
std::vector<NetworkInterface> collect_interfaces();

// The facts KV record (snake_case keys of the agent listing). Every key is always written;
// empty interface fields are left out.
nlohmann::ordered_json to_json(const Facts& facts);
// Reads a record written by to_json back. Missing keys keep their defaults; a key of the wrong
// type is an error ("facts: <key>: expected <type>").
Result<Facts> facts_from_json(const nlohmann::ordered_json& json);

}  // namespace osapi::provider
