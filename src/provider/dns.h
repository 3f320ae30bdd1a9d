// network.dns.get / network.dns.update: read the DNS servers and search
// domains of an interface from systemd-resolved (`resolvectl`), falling back to resolv.conf
// when resolved is missing; write them with `resolvectl dns|domain`.
// network.dns.delete: drop the interface's settings with `resolvectl revert`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace osapi::provider {

struct DnsOptions {
  std::string resolv_conf = "/etc/resolv.conf";  // read-only fallback (tests inject a file)
  std::string default_interface = "eth0";
};

struct DnsConfig {
  std::vector<std::string> servers;
  std::vector<std::string> search_domains;  // ["."] when none
};

struct DnsUpdate {
  std::string interface_name;
  std::optional<std::vector<std::string>> servers;         // absent → keep current
  std::optional<std::vector<std::string>> search_domains;  // absent → keep current
};

struct DnsUpdateResult {
  bool changed = false;
  std::string message;
};

// `resolvectl status <if>` text → servers and domains, continuation lines included.
DnsConfig parse_resolvectl_status(const std::string& text);
// resolv.conf text → nameserver lines and the last search/domain line.
DnsConfig parse_resolv_conf(const std::string& text);

// Errors: `interface "X" does not exist`; resolvectl failures when resolv.conf is unreadable.
Result<DnsConfig> get_dns(const std::string& interface_name, const DnsOptions& options = {});

// Missing lists come from the current config; equal → changed:false without running anything.
// Needs resolvectl (no fallback for writes): without it, unsupported_error
// (provider/unsupported.h).
Result<DnsUpdateResult> update_dns(const DnsUpdate& update, const DnsOptions& options = {});

// Reads the interface's current config first: no servers and no search domains (other than
// the root domain) → changed:false without running anything; otherwise
// `resolvectl revert <if>`. Needs resolvectl: without it, unsupported_error.
Result<DnsUpdateResult> delete_dns(const std::string& interface_name,
                                   const DnsOptions& options = {});

// Job data → inputs. Errors are the "…" of "failed to parse DNS data: …".
Result<std::string> parse_dns_get_data(const nlohmann::ordered_json& data);
Result<DnsUpdate> parse_dns_update_data(const nlohmann::ordered_json& data);
// {"interface":"eth0"} → the interface ("" = the default interface).
Result<std::string> parse_dns_delete_data(const nlohmann::ordered_json& data);

// {"DNSServers":[…],"SearchDomains":[…]}
nlohmann::ordered_json to_json(const DnsConfig& config);
// {"success":true,"changed":…,"message":…}
nlohmann::ordered_json to_json(const DnsUpdateResult& result);

}  // namespace osapi::provider
