// NATS payloads an agent or the controller reads back: the job record, status events,
// responses, run markers, registry entries, facts records, and job data with @fact. references.
// Whatever parses must re-encode without throwing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/fact_refs.h"
#include "job/agent_record.h"
#include "job/model.h"
#include "provider/facts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using osapi::job::json;
  const std::string in(reinterpret_cast<const char*>(data), size);
  const auto replace = json::error_handler_t::replace;
  if (auto r = osapi::job::JobRecord::parse(in); r.ok()) {
    (void)r->to_json().dump(-1, ' ', false, replace);
    (void)r->type();
  }
  if (auto e = osapi::job::StatusEvent::parse(in); e.ok()) {
    (void)e->key();
    (void)e->to_json().dump(-1, ' ', false, replace);
  }
  if (auto p = osapi::job::JobResponse::parse(in, 42); p.ok()) {
    (void)p->key();
    (void)p->to_json().dump(-1, ' ', false, replace);
  }
  if (auto a = osapi::job::AgentInfo::parse(in); a.ok()) {
    (void)a->to_json().dump(-1, ' ', false, replace);
    (void)a->key();
  }
  (void)osapi::job::key_unix_nano(in);
  (void)osapi::job::parse_run_marker(in);

  const json doc = json::parse(in, nullptr, false);
  if (!doc.is_discarded()) {
    if (auto f = osapi::provider::facts_from_json(doc); f.ok())
      (void)osapi::provider::to_json(*f).dump(-1, ' ', false, replace);
    osapi::agent::FactValues facts;
    facts.collected = true;
    facts.hostname = "web-01";
    facts.primary_interface = "eth0";
    facts.custom["role"] = "db";
    (void)osapi::agent::resolve_fact_refs(doc, facts);
  }
  (void)osapi::provider::parse_proc_net_route(in);
  return 0;
}
