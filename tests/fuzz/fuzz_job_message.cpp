// NATS job message → job decoding: the KV record, status events, responses and registry
// entries an agent or the API reads back. Whatever parses must re-encode without throwing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "job/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  if (auto r = osapi::job::JobRecord::parse(in); r.ok()) {
    (void)r->to_json().dump(-1, ' ', false, osapi::job::json::error_handler_t::replace);
    (void)r->type();
  }
  if (auto e = osapi::job::StatusEvent::parse(in); e.ok()) {
    (void)e->key();
    (void)e->to_json().dump(-1, ' ', false, osapi::job::json::error_handler_t::replace);
  }
  if (auto p = osapi::job::JobResponse::parse(in, 42); p.ok()) {
    (void)p->key();
    (void)p->to_json().dump(-1, ' ', false, osapi::job::json::error_handler_t::replace);
  }
  if (auto a = osapi::job::AgentInfo::parse(in); a.ok())
    (void)a->to_json().dump(-1, ' ', false, osapi::job::json::error_handler_t::replace);
  (void)osapi::job::key_unix_nano(in);
  return 0;
}
