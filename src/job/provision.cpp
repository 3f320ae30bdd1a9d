#include "job/provision.h"

#include "logging/logger.h"

namespace osapi::job {

using config::ns_name;
using config::ns_subject;

std::vector<std::chrono::nanoseconds> server_backoff(const config::Consumer& consumer) {
  std::vector<std::chrono::nanoseconds> out;
  if (consumer.max_deliver <= 1) return out;
  const size_t keep = static_cast<size_t>(consumer.max_deliver - 1);
  for (size_t i = 0; i < consumer.back_off.size() && i < keep; ++i)
    out.push_back(consumer.back_off[i]);
  return out;
}

messaging::ConsumerSpec consumer_spec(const config::Consumer& consumer, const std::string& durable,
                                      const std::string& filter_subject) {
  messaging::ConsumerSpec c;
  c.durable = durable;
  c.filter_subject = filter_subject;
  c.deliver_policy = "all";
  c.ack_wait = consumer.ack_wait;
  c.max_deliver = consumer.max_deliver;
  c.max_ack_pending = consumer.max_ack_pending;
  c.replay_policy = consumer.replay_policy == "original" ? "original" : "instant";
  c.backoff = server_backoff(consumer);
  return c;
}

std::string object_store_stream(const std::string& bucket) {
  return "OBJ_" + bucket;
}

ProvisionPlan provision_plan(const config::Config& cfg, const std::string& ns,
                             const ProvisionParts& parts) {
  const auto& n = cfg.nats;
  ProvisionPlan plan;

  auto& js = plan.jobs_stream;
  js.name = ns_name(ns, n.stream.name);
  js.subjects = {ns_subject(ns, n.stream.subjects)};
  js.max_age = n.stream.max_age;
  js.max_msgs = n.stream.max_msgs > 0 ? n.stream.max_msgs : -1;
  js.max_bytes = n.stream.max_bytes > 0 ? n.stream.max_bytes : -1;
  js.storage = n.stream.storage == "memory" ? "memory" : "file";
  js.replicas = n.stream.replicas;
  // Only an explicit "old" discards the oldest notifications; the default refuses new ones.
  js.discard = n.stream.discard == "old" ? "old" : "new";
  js.duplicate_window = std::chrono::minutes(2);

  auto& dlq = plan.dlq_stream;
  dlq.name = js.name + "-DLQ";
  dlq.subjects = {"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + js.name + ".*"};
  dlq.max_age = n.dlq.max_age;
  dlq.max_msgs = n.dlq.max_msgs > 0 ? n.dlq.max_msgs : -1;
  dlq.max_bytes = n.dlq.max_bytes > 0 ? n.dlq.max_bytes : -1;
  dlq.storage = n.dlq.storage == "memory" ? "memory" : "file";
  dlq.replicas = n.dlq.replicas;
  // No `metadata: dead_letter_queue=true`: nats-server 2.9 silently drops stream metadata.

  if (parts.audit && !n.audit.stream.empty()) {
    messaging::StreamSpec audit;
    audit.name = ns_name(ns, n.audit.stream);
    audit.subjects = {ns_subject(ns, n.audit.subject) + ".>"};
    audit.max_age = n.audit.max_age;
    audit.max_bytes = n.audit.max_bytes > 0 ? n.audit.max_bytes : -1;
    audit.storage = n.audit.storage == "memory" ? "memory" : "file";
    audit.replicas = n.audit.replicas;
    audit.discard = "old";  // a full audit log drops its oldest entries, never new ones
    plan.audit_stream = audit;
  }

  if (parts.objects && !n.objects.bucket.empty()) {
    const std::string bucket = ns_name(ns, n.objects.bucket);
    messaging::StreamSpec obj;
    obj.name = object_store_stream(bucket);
    obj.subjects = {"$O." + bucket + ".C.>", "$O." + bucket + ".M.>"};
    obj.max_bytes = n.objects.max_bytes > 0 ? n.objects.max_bytes : -1;
    obj.storage = n.objects.storage == "memory" ? "memory" : "file";
    obj.replicas = n.objects.replicas;
    obj.discard = "new";  // a full store refuses uploads instead of dropping stored files
    obj.allow_rollup = true;
    obj.allow_direct = true;
    plan.object_store = obj;
  }

  auto kv = [&](const std::string& bucket, config::Duration ttl, long long max_bytes,
                const std::string& storage, int replicas) {
    if (bucket.empty()) return;  // disabled
    messaging::KvSpec s;
    s.bucket = ns_name(ns, bucket);
    s.history = 1;
    s.ttl = ttl;
    s.max_bytes = max_bytes > 0 ? max_bytes : -1;
    s.storage = storage == "memory" ? "memory" : "file";
    s.replicas = replicas;
    s.allow_direct = replicas <= 1;  // a lagging replica would answer "not found" right after a put
    plan.buckets.push_back(s);
  };
  auto bucket = [&](const config::BucketConfig& b) {
    kv(b.bucket, b.ttl, b.max_bytes, b.storage, b.replicas);
  };
  kv(n.kv.bucket, n.kv.ttl, n.kv.max_bytes, n.kv.storage, n.kv.replicas);
  if (parts.responses)
    kv(n.kv.response_bucket, n.kv.ttl, n.kv.max_bytes, n.kv.storage, n.kv.replicas);
  if (parts.registry)
    kv(n.registry.bucket, n.registry.ttl, n.registry.max_bytes, n.registry.storage,
       n.registry.replicas);
  bucket(n.facts);
  bucket(n.state);
  bucket(n.file_state);
  if (cfg.controller.pki.enabled) bucket(n.enrollment);

  if (parts.consumers) {
    // The names agents bind to: "<agent.consumer.name>_<kind>_any", one durable per kind
    // shared by every agent, so an _any job reaches exactly one of them.
    const auto& c = cfg.agent.consumer;
    const std::string p = c.name.empty() ? "" : c.name + "_";
    plan.consumers.push_back(consumer_spec(c, p + "query_any", ns_subject(ns, "jobs.query._any")));
    plan.consumers.push_back(
        consumer_spec(c, p + "modify_any", ns_subject(ns, "jobs.modify._any")));
  }
  return plan;
}

Status provision(messaging::Connection& conn, const config::Config& cfg, const std::string& ns,
                 bool update_existing, const ProvisionParts& parts) {
  const ProvisionPlan plan = provision_plan(cfg, ns, parts);

  if (auto st = conn.ensure_stream(plan.jobs_stream, update_existing); !st.ok())
    return st.error().wrap("jobs stream " + plan.jobs_stream.name);
  logging::debug("stream ready", {{"stream", plan.jobs_stream.name}});

  if (plan.audit_stream) {
    if (cfg.nats.audit.subject.empty())
      return Error(ErrorCode::kInvalidArgument,
                   "nats.audit.subject must be set when nats.audit.stream is set");
    if (auto st = conn.ensure_stream(*plan.audit_stream, update_existing); !st.ok())
      return st.error().wrap("audit stream " + plan.audit_stream->name);
    logging::debug("stream ready", {{"stream", plan.audit_stream->name}});
  }

  if (plan.object_store) {
    if (auto st = conn.ensure_stream(*plan.object_store, update_existing); !st.ok())
      return st.error().wrap("object store " + plan.object_store->name);
    logging::debug("object store ready", {{"stream", plan.object_store->name}});
  }

  for (const auto& b : plan.buckets) {
    auto kv = conn.ensure_key_value(b, update_existing);
    if (!kv.ok()) return kv.error().wrap("KV bucket " + b.bucket);
    logging::debug("KV bucket ready", {{"bucket", b.bucket}});
  }

  if (auto st = conn.ensure_stream(plan.dlq_stream, update_existing); !st.ok())
    return st.error().wrap("DLQ stream " + plan.dlq_stream.name);
  logging::debug("stream ready", {{"stream", plan.dlq_stream.name}});

  for (const auto& c : plan.consumers) {
    if (auto st = conn.ensure_consumer(plan.jobs_stream.name, c, update_existing); !st.ok())
      return st.error().wrap("consumer " + plan.jobs_stream.name + "/" + c.durable);
    logging::debug("consumer ready", {{"stream", plan.jobs_stream.name}, {"consumer", c.durable}});
  }
  return Status::Ok();
}

}  // namespace osapi::job
