// Network operations: DNS get, update, delete; ping.
#include <cmath>

#include "api/node_operation.h"
#include "api/ops.h"
#include "job/fact_keys.h"
#include "provider/format.h"
#include "provider/ping.h"

namespace osapi::api {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// A number as read: whole values as integers (0, not 0.0), as Go prints float64.
json plain_number(const ojson& v) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
    return d;
  }
  return v.is_number_unsigned() ? json(v.get<uint64_t>()) : json(v.get<int64_t>());
}

void dns_fields(const job::JobResponse& r, json& item) {
  copy_string_list(r.data, "DNSServers", item, "servers");
  copy_string_list(r.data, "SearchDomains", item, "search_domains");
}

void ping_fields(const job::JobResponse& r, json& item) {
  if (!r.data.is_object()) return;
  const std::pair<const char*, const char*> counts[] = {{"PacketsSent", "packets_sent"},
                                                        {"PacketsReceived", "packets_received"},
                                                        {"PacketLoss", "packet_loss"}};
  for (const auto& [from, to] : counts) {
    auto it = r.data.find(from);
    if (it != r.data.end() && it->is_number()) item[to] = plain_number(*it);
  }
  const std::pair<const char*, const char*> rtts[] = {
      {"MinRTT", "min_rtt"}, {"AvgRTT", "avg_rtt"}, {"MaxRTT", "max_rtt"}};
  for (const auto& [from, to] : rtts) {
    auto it = r.data.find(from);
    if (it != r.data.end() && it->is_number())
      item[to] = provider::rtt_text(static_cast<int64_t>(it->get<double>()));
  }
}

void check_interface(Violations& v, const std::optional<std::string>& iface, const char* field) {
  if (!iface || iface->empty())
    v.add(field, "required");
  else if (!job::is_alphanum_or_fact(*iface))
    v.add(field, "alphanum_or_fact");
}

BuildResult dns_get(const http::Request& req, const json&) {
  auto p = req.path_params.find("interfaceName");
  std::optional<std::string> iface;
  if (p != req.path_params.end()) iface = p->second;
  Violations v("GetNodeNetworkDNSByInterfaceParams");
  check_interface(v, iface, "InterfaceName");
  if (!v.empty()) return v.response();
  return ojson{{"interface", *iface}};
}

BuildResult dns_update(const http::Request&, const json& body) {
  const auto iface = string_field(body, "interface_name");
  const auto domains = string_list_field(body, "search_domains");
  const auto servers = string_list_field(body, "servers");
  Violations v("DNSConfigUpdateRequest");
  if (!domains && !servers) v.add("Servers", "required_without");
  for (size_t i = 0; servers && i < servers->size(); ++i)
    if (!is_ip((*servers)[i])) v.add("Servers[" + std::to_string(i) + "]", "ip");
  if (!domains && !servers) v.add("SearchDomains", "required_without");
  for (size_t i = 0; domains && i < domains->size(); ++i)
    if (!is_rfc952_hostname((*domains)[i]))
      v.add("SearchDomains[" + std::to_string(i) + "]", "hostname");
  check_interface(v, iface, "InterfaceName");
  if (!v.empty()) return v.response();
  ojson data = ojson::object();
  if (servers) data["servers"] = *servers;
  if (domains) data["search_domains"] = *domains;
  data["interface"] = *iface;
  if (auto o = bool_field(body, "override_dhcp")) data["override_dhcp"] = *o;
  return data;
}

BuildResult dns_delete(const http::Request&, const json& body) {
  const auto iface = string_field(body, "interface_name");
  Violations v("DNSDeleteRequest");
  check_interface(v, iface, "InterfaceName");
  if (!v.empty()) return v.response();
  return ojson{{"interface", *iface}};
}

BuildResult ping(const http::Request&, const json& body) {
  const auto address = string_field(body, "address");
  Violations v("PostNodeNetworkPingJSONBody");
  if (!address || address->empty())
    v.add("Address", "required");
  else if (!job::is_ip_or_fact(*address))
    v.add("Address", "ip_or_fact");
  if (!v.empty()) return v.response();
  return ojson{{"address", *address}};
}

}  // namespace

void add_network_ops(std::vector<NodeOperation>& ops) {
  NodeOperation get{"GET",
                    "/api/node/{hostname}/network/dns/{interfaceName}",
                    "GetNodeNetworkDNSByInterface",
                    "network:read",
                    "network.dns.get",
                    job::OpKind::kQuery,
                    200,
                    ChangedRule::kReadOnly};
  get.build = dns_get;
  get.fields = dns_fields;
  ops.push_back(std::move(get));

  NodeOperation put{"PUT",
                    "/api/node/{hostname}/network/dns",
                    "PutNodeNetworkDNS",
                    "network:write",
                    "network.dns.update",
                    job::OpKind::kModify,
                    202,
                    ChangedRule::kMissingIsTrue,
                    "DNSConfigUpdateRequest",
                    {{"servers", FieldType::kStringList},
                     {"search_domains", FieldType::kStringList},
                     {"interface_name", FieldType::kString},
                     {"override_dhcp", FieldType::kBool}}};
  put.build = dns_update;
  ops.push_back(std::move(put));

  NodeOperation del{"DELETE",
                    "/api/node/{hostname}/network/dns",
                    "DeleteNodeNetworkDNS",
                    "network:write",
                    "network.dns.delete",
                    job::OpKind::kModify,
                    200,
                    ChangedRule::kMissingIsTrue,
                    "DNSDeleteRequest",
                    {{"interface_name", FieldType::kString}}};
  del.build = dns_delete;
  ops.push_back(std::move(del));

  // Ping runs on the query subject but needs network:write: it sends traffic from the host.
  NodeOperation p{"POST",
                  "/api/node/{hostname}/network/ping",
                  "PostNodeNetworkPing",
                  "network:write",
                  "network.ping.do",
                  job::OpKind::kQuery,
                  200,
                  ChangedRule::kReadOnly,
                  "PostNodeNetworkPingJSONBody",
                  {{"address", FieldType::kString}}};
  p.build = ping;
  p.fields = ping_fields;
  ops.push_back(std::move(p));
}

}  // namespace osapi::api
