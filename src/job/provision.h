// JetStream objects of one namespace: the jobs stream, DLQ stream, audit stream, KV buckets and
// the shared `_any` durable consumers. Used by `osapi nats server start` (update_existing=true)
// and at controller/agent start-up (update_existing=false: create what is missing, never shrink).
// The object store (nats.objects.*) is provisioned as the stream behind it, laid out the way
// NATS object store clients expect (OBJ_<bucket>, chunks under $O.<bucket>.C.>, metadata under
// $O.<bucket>.M.>), so any NATS client can open the bucket by name.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "messaging/nats.h"

namespace osapi::job {

// Which optional parts to ensure. Defaults: everything (the broker's own provisioning). Each part
// is skipped anyway when its configured name is empty.
struct ProvisionParts {
  bool audit = true;      // audit stream (nats.audit.stream)
  bool objects = true;    // object store (nats.objects.bucket)
  bool registry = true;   // registry KV (nats.registry.bucket)
  bool responses = true;  // responses KV (unused, kept for compatibility)
  bool consumers = true;  // the shared <consumer.name>_query_any / _modify_any durables
};

// Every object with its full settings from config, names and subjects namespaced.
struct ProvisionPlan {
  messaging::StreamSpec jobs_stream;
  messaging::StreamSpec dlq_stream;
  std::optional<messaging::StreamSpec> audit_stream;  // subjects <ns>.<nats.audit.subject>.>
  std::optional<messaging::StreamSpec> object_store;  // OBJ_<ns>-<nats.objects.bucket>
  // jobs, responses, registry, facts, state, file_state, enrollment (as present, in this order);
  // enrollment only when controller.pki.enabled.
  std::vector<messaging::KvSpec> buckets;
  std::vector<messaging::ConsumerSpec> consumers;  // query_any, modify_any (on jobs_stream)
};

// The stream name behind object store bucket `bucket` (already namespaced).
std::string object_store_stream(const std::string& bucket);

ProvisionPlan provision_plan(const config::Config& cfg, const std::string& ns,
                             const ProvisionParts& parts = {});

// Server-side consumer backoff: the first max_deliver−1 entries of back_off (nats-server 2.9
// rejects max_deliver <= len(backoff)); empty when max_deliver <= 1.
std::vector<std::chrono::nanoseconds> server_backoff(const config::Consumer& consumer);

// A durable pull consumer spec with settings from agent.consumer.* (deliver policy all).
messaging::ConsumerSpec consumer_spec(const config::Consumer& consumer, const std::string& durable,
                                      const std::string& filter_subject);

// Ensures every object of the plan. Errors name the object that failed.
Status provision(messaging::Connection& conn, const config::Config& cfg, const std::string& ns,
                 bool update_existing, const ProvisionParts& parts = {});

}  // namespace osapi::job
