// GET /api/agent, GET /api/agent/{hostname} (with its timeline), GET /api/facts/keys.
#include "api/agent_view.h"
#include "api/authz.h"
#include "api/handlers.h"
#include "api/node_operation.h"
#include "common/strings.h"
#include "job/fact_keys.h"
#include "job/timeline.h"

namespace osapi::api {

using json = nlohmann::ordered_json;

namespace {

// The agent's facts record, null when there is none (or no facts bucket).
json facts_of(ApiContext& ctx, const job::AgentInfo& a) {
  if (!ctx.facts_kv || a.machine_id.empty()) return nullptr;
  auto e = ctx.facts_kv->get("facts." + sanitize_subject_token(a.machine_id));
  if (!e.ok() || !e->has_value()) return nullptr;
  json j = json::parse((*e)->value, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

}  // namespace

http::Response get_agents(ApiContext& ctx, http::Request& req) {
  if (auto denied = authorize(req, ctx)) return *denied;
  if (auto down = nats_unavailable(ctx)) return *down;
  auto agents = ctx.registry->list();
  if (!agents.ok()) return http::Response::app_error(500, agents.error().message);
  const auto now = Clock::now();
  json list = json::array();
  for (const auto& a : *agents) list.push_back(agent_json(a, facts_of(ctx, a), now));
  return http::Response::json(200, json{{"agents", list}, {"total", agents->size()}});
}

http::Response get_agent_details(ApiContext& ctx, http::Request& req) {
  auto p = req.path_params.find("hostname");
  const std::string name = p == req.path_params.end() ? "" : p->second;
  if (auto denied = authorize(req, ctx)) return *denied;
  if (name.empty()) return field_violation("GetAgentDetailsParams", "Hostname", "required");
  if (name.size() > 255) return field_violation("GetAgentDetailsParams", "Hostname", "max");
  if (auto down = nats_unavailable(ctx)) return *down;
  auto agent = ctx.registry->find(name);
  if (!agent.ok()) {
    if (agent.error().code == ErrorCode::kNotFound)
      return http::Response::app_error(404, agent.error().message);
    return http::Response::app_error(500, agent.error().message);
  }
  json body = agent_json(*agent, facts_of(ctx, *agent), Clock::now());
  if (ctx.state_kv) {
    auto events = job::read_timeline(*ctx.state_kv, agent->hostname);
    if (!events.ok()) return http::Response::app_error(500, events.error().message);
    json timeline = json::array();
    for (const auto& e : *events) timeline.push_back(e.to_json());
    body["timeline"] = std::move(timeline);
  }
  return http::Response::json(200, body);
}

http::Response get_fact_keys(ApiContext& ctx, http::Request& req) {
  if (auto denied = authorize(req, ctx)) return *denied;
  return http::Response::json(200, job::fact_keys_json());
}

}  // namespace osapi::api
