// GET /network/dns/{interfaceName}, PUT /network/dns, POST /network/ping
// (spec/rest-api.md §9; job-backed semantics §6).
#include <cmath>

#include "api/authz.h"
#include "api/handlers.h"
#include "api/validation.h"
#include "api/validators.h"
#include "http/binding.h"
#include "provider/ping.h"

namespace osapi::api {

// Items use nlohmann::json (sorted keys): upstream emits keys alphabetically.
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// Creates the job and waits for its responses (spec/rest-api.md §6).
Result<job::Outcome> run_job(ApiContext& ctx, const job::Target& target, const ojson& operation,
                             job::OpKind kind) {
  job::WaitOptions wait;
  if (target.broadcast()) wait.expected_hosts = ctx.registry->expected_hosts(target);
  return ctx.jobs->run(operation, target, kind, wait);
}

json string_list(const ojson& data, const char* key) {
  json out = json::array();
  auto it = data.find(key);
  if (it != data.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// A number as read: whole values as integers (0, not 0.0), as Go prints float64.
json plain_number(const ojson& v) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
    return d;
  }
  return v.is_number_unsigned() ? json(v.get<uint64_t>()) : json(v.get<int64_t>());
}

json dns_item(const job::JobResponse& r) {
  json item{{"hostname", r.hostname}};
  if (r.data.is_object()) {
    if (r.data.contains("DNSServers")) item["servers"] = string_list(r.data, "DNSServers");
    if (r.data.contains("SearchDomains"))
      item["search_domains"] = string_list(r.data, "SearchDomains");
  }
  return item;
}

json ping_item(const job::JobResponse& r) {
  json item{{"hostname", r.hostname}};
  if (!r.data.is_object()) return item;
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
  return item;
}

// Query results: one item per response; a single target's failure is the request's 500.
http::Response query_results(const job::Target& target, const job::Outcome& outcome,
                             json (*item)(const job::JobResponse&)) {
  json results = json::array();
  for (const auto& r : outcome.responses) {
    if (r.status == "failed") {
      if (!target.broadcast()) return http::Response::app_error(500, "job failed: " + r.error);
      results.push_back(json{{"error", r.error}, {"hostname", r.hostname}});
      continue;
    }
    results.push_back(item(r));
  }
  return http::Response::json(200, json{{"job_id", outcome.job_id}, {"results", results}});
}

// `changed` as the agent reported it (response field, else the result's flag), true when it
// reported none (acceptance DP-12).
bool reported_changed(const job::JobResponse& r) {
  if (r.changed) return *r.changed;
  if (r.data.is_object()) {
    auto it = r.data.find("changed");
    if (it != r.data.end() && it->is_boolean()) return it->get<bool>();
  }
  return true;
}

}  // namespace

http::Response get_network_dns(ApiContext& ctx, http::Request& req) {
  if (auto denied = authorize(req, ctx, "network:read")) return *denied;
  auto p = req.path_params.find("interfaceName");
  const std::string iface = p == req.path_params.end() ? "" : p->second;
  Violations v("GetNetworkDNSByInterfaceParams");
  if (iface.empty())
    v.add("InterfaceName", "required");
  else if (!is_alphanum(iface))
    v.add("InterfaceName", "alphanum");
  if (!v.empty()) return v.response();
  auto bound = bind_target(req, ctx, "GetNetworkDNSByInterfaceParams");
  if (bound.error) return *bound.error;
  const ojson op{{"type", "network.dns.get"}, {"data", {{"interface", iface}}}};
  auto outcome = run_job(ctx, *bound.target, op, job::OpKind::kQuery);
  if (!outcome.ok()) return job_error(outcome.error());
  return query_results(*bound.target, *outcome, dns_item);
}

http::Response put_network_dns(ApiContext& ctx, http::Request& req) {
  auto body = http::decode_json_body(req);
  if (!body) return body.response();
  if (auto bad = check_body_types(*body, req.body, "DNSConfigUpdateRequest",
                                  {{"interface_name", FieldType::kString},
                                   {"search_domains", FieldType::kStringList},
                                   {"servers", FieldType::kStringList}}))
    return *bad;
  if (auto denied = authorize(req, ctx, "network:write")) return *denied;

  const auto iface = string_field(*body, "interface_name");
  const auto domains = string_list_field(*body, "search_domains");
  const auto servers = string_list_field(*body, "servers");
  Violations v("DNSConfigUpdateRequest");
  if (!iface || iface->empty())
    v.add("InterfaceName", "required");
  else if (!is_alphanum(*iface))
    v.add("InterfaceName", "alphanum");
  if (!domains && !servers) v.add("SearchDomains", "required_without");
  for (size_t i = 0; domains && i < domains->size(); ++i)
    if (!is_rfc952_hostname((*domains)[i]))
      v.add("SearchDomains[" + std::to_string(i) + "]", "hostname");
  if (!domains && !servers) v.add("Servers", "required_without");
  for (size_t i = 0; servers && i < servers->size(); ++i)
    if (!is_ip((*servers)[i])) v.add("Servers[" + std::to_string(i) + "]", "ip");
  if (!v.empty()) return v.response();
  auto bound = bind_target(req, ctx, "PutNetworkDNSParams");
  if (bound.error) return *bound.error;

  ojson data = ojson::object();
  if (servers) data["servers"] = *servers;
  if (domains) data["search_domains"] = *domains;
  data["interface"] = *iface;
  auto outcome = run_job(ctx, *bound.target, ojson{{"type", "network.dns.update"}, {"data", data}},
                         job::OpKind::kModify);
  if (!outcome.ok()) return job_error(outcome.error());
  const bool broadcast = bound.target->broadcast();
  json results = json::array();
  for (const auto& r : outcome->responses) {
    if (r.status == "failed") {
      if (!broadcast) return http::Response::app_error(500, "job failed: " + r.error);
      // A failed host never reports changed:true (spec/README.md decision 2).
      results.push_back(json{{"changed", false},
                             {"error", "job failed: " + r.error},
                             {"hostname", r.hostname},
                             {"status", "failed"}});
      continue;
    }
    results.push_back(
        json{{"changed", reported_changed(r)}, {"hostname", r.hostname}, {"status", "ok"}});
  }
  return http::Response::json(202, json{{"job_id", outcome->job_id}, {"results", results}});
}

http::Response post_network_ping(ApiContext& ctx, http::Request& req) {
  auto body = http::decode_json_body(req);
  if (!body) return body.response();
  if (auto bad = check_body_types(*body, req.body, "PostNetworkPingJSONBody",
                                  {{"address", FieldType::kString}}))
    return *bad;
  // network:write, not network:read: the stricter of upstream's code and docs (rest-api.md §2).
  if (auto denied = authorize(req, ctx, "network:write")) return *denied;
  const auto address = string_field(*body, "address");
  Violations v("PostNetworkPingJSONBody");
  if (!address || address->empty())
    v.add("Address", "required");
  else if (!is_ip(*address))
    v.add("Address", "ip");
  if (!v.empty()) return v.response();
  auto bound = bind_target(req, ctx, "PostNetworkPingParams");
  if (bound.error) return *bound.error;
  const ojson op{{"type", "network.ping.do"}, {"data", {{"address", *address}}}};
  auto outcome = run_job(ctx, *bound.target, op, job::OpKind::kQuery);
  if (!outcome.ok()) return job_error(outcome.error());
  return query_results(*bound.target, *outcome, ping_item);
}

}  // namespace osapi::api
