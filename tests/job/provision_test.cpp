// Provisioning against a real nats-server: every object with the configured settings.
#include "job/provision.h"

#include <gtest/gtest.h>

#include <chrono>

#include "process.h"

namespace osapi::job {
namespace {

using namespace std::chrono_literals;
using Nanos = std::chrono::nanoseconds;

TEST(ServerBackoffTest, TruncatesToMaxDeliverMinusOne) {
  config::Consumer c;  // max_deliver 5, back_off [30s, 2m, 5m, 15m, 30m]
  EXPECT_EQ(server_backoff(c), (std::vector<Nanos>{30s, 2min, 5min, 15min}));
  c.max_deliver = 3;
  EXPECT_EQ(server_backoff(c), (std::vector<Nanos>{30s, 2min}));
  c.max_deliver = 1;
  EXPECT_TRUE(server_backoff(c).empty());
  c.max_deliver = 0;
  EXPECT_TRUE(server_backoff(c).empty());
  c.max_deliver = 10;
  EXPECT_EQ(server_backoff(c).size(), 5u);
}

TEST(ProvisionPlanTest, ReplicatedBucketsAreReadFromTheLeaderOnly) {
  config::Config cfg;
  for (const auto& b : provision_plan(cfg, "osapi").buckets)
    EXPECT_TRUE(b.allow_direct) << b.bucket << ": a single replica may answer direct gets";
  cfg.nats.kv.replicas = 3;
  cfg.nats.registry.replicas = 3;
  for (const auto& b : provision_plan(cfg, "osapi").buckets) {
    if (b.replicas > 1)
      EXPECT_FALSE(b.allow_direct) << b.bucket << ": a lagging replica would answer direct gets";
    else
      EXPECT_TRUE(b.allow_direct) << b.bucket;
  }
}

TEST(ProvisionPlanTest, NamesForNamespaceAndEmpty) {
  config::Config cfg;
  auto p = provision_plan(cfg, "osapi");
  EXPECT_EQ(p.jobs_stream.name, "osapi-JOBS");
  EXPECT_EQ(p.jobs_stream.subjects, (std::vector<std::string>{"osapi.jobs.>"}));
  EXPECT_EQ(p.dlq_stream.name, "osapi-JOBS-DLQ");
  EXPECT_EQ(p.dlq_stream.subjects,
            (std::vector<std::string>{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.osapi-JOBS.*"}));
  ASSERT_TRUE(p.audit_stream.has_value());
  EXPECT_EQ(p.audit_stream->name, "osapi-AUDIT");
  EXPECT_EQ(p.audit_stream->subjects, (std::vector<std::string>{"osapi.audit.>"}));
  EXPECT_EQ(p.audit_stream->discard, "old");
  std::vector<std::string> buckets;
  for (const auto& b : p.buckets) buckets.push_back(b.bucket);
  // No enrollment bucket unless the controller runs PKI; no audit KV any more.
  EXPECT_EQ(buckets, (std::vector<std::string>{"osapi-job-queue", "osapi-job-responses",
                                               "osapi-agent-registry", "osapi-agent-facts",
                                               "osapi-agent-state", "osapi-file-state"}));
  ASSERT_EQ(p.consumers.size(), 2u);
  EXPECT_EQ(p.consumers[0].durable, "jobs-agent_query_any");
  EXPECT_EQ(p.consumers[0].filter_subject, "osapi.jobs.query._any");
  EXPECT_EQ(p.consumers[1].filter_subject, "osapi.jobs.modify._any");

  ASSERT_TRUE(p.object_store.has_value());
  EXPECT_EQ(p.object_store->name, "OBJ_osapi-file-objects");
  EXPECT_EQ(p.object_store->subjects,
            (std::vector<std::string>{"$O.osapi-file-objects.C.>", "$O.osapi-file-objects.M.>"}));
  EXPECT_EQ(p.object_store->max_bytes, 10737418240LL);
  EXPECT_EQ(p.object_store->discard, "new");
  EXPECT_TRUE(p.object_store->allow_rollup);
  EXPECT_TRUE(p.object_store->allow_direct);

  auto e = provision_plan(cfg, "");
  EXPECT_EQ(e.jobs_stream.name, "JOBS");
  EXPECT_EQ(e.jobs_stream.subjects, (std::vector<std::string>{"jobs.>"}));
  EXPECT_EQ(e.dlq_stream.name, "JOBS-DLQ");
  EXPECT_EQ(e.buckets[0].bucket, "job-queue");
  EXPECT_EQ(e.audit_stream->name, "AUDIT");
  EXPECT_EQ(e.audit_stream->subjects, (std::vector<std::string>{"audit.>"}));
  EXPECT_EQ(e.consumers[0].filter_subject, "jobs.query._any");

  cfg.controller.pki.enabled = true;
  EXPECT_EQ(provision_plan(cfg, "x").buckets.back().bucket, "x-agent-enrollment");
  cfg.nats.audit.stream = "";
  cfg.nats.registry.bucket = "";
  cfg.nats.facts.bucket = "";
  cfg.nats.state.bucket = "";
  cfg.nats.file_state.bucket = "";
  cfg.nats.enrollment.bucket = "";
  cfg.nats.objects.bucket = "";
  auto off = provision_plan(cfg, "x");
  EXPECT_FALSE(off.audit_stream.has_value());
  EXPECT_FALSE(off.object_store.has_value());
  EXPECT_EQ(off.buckets.size(), 2u);  // jobs and responses
  ProvisionParts api;
  api.consumers = false;
  EXPECT_TRUE(provision_plan(cfg, "x", api).consumers.empty());
}

TEST(ProvisionPlanTest, JobsStreamDiscardsNewByDefaultAndConfigWins) {
  config::Config cfg;
  EXPECT_EQ(cfg.nats.stream.discard, "new");
  EXPECT_EQ(provision_plan(cfg, "osapi").jobs_stream.discard, "new");
  cfg.nats.stream.discard = "old";
  EXPECT_EQ(provision_plan(cfg, "osapi").jobs_stream.discard, "old");
  cfg.nats.stream.discard = "new";
  EXPECT_EQ(provision_plan(cfg, "osapi").jobs_stream.discard, "new");
}

TEST(ProvisionPlanTest, NoObjectIsUnboundedByDefault) {
  config::Config cfg;
  cfg.controller.pki.enabled = true;  // the enrollment bucket too
  const auto p = provision_plan(cfg, "osapi");
  auto bounded_stream = [](const messaging::StreamSpec& s, bool needs_msgs) {
    EXPECT_GT(s.max_bytes, 0) << s.name << " has no max_bytes";
    if (needs_msgs) {
      EXPECT_GT(s.max_msgs, 0) << s.name << " has no max_msgs";
    }
  };
  bounded_stream(p.jobs_stream, true);
  bounded_stream(p.dlq_stream, true);
  ASSERT_TRUE(p.audit_stream.has_value());
  bounded_stream(*p.audit_stream, false);  // audit: bytes and age bound it, oldest dropped
  ASSERT_TRUE(p.object_store.has_value());
  bounded_stream(*p.object_store, false);
  ASSERT_EQ(p.buckets.size(), 7u);  // jobs, responses, registry, facts, state, file_state, enroll
  for (const auto& b : p.buckets) EXPECT_GT(b.max_bytes, 0) << b.bucket << " has no max_bytes";
  // The upstream defaults stay as they are.
  EXPECT_EQ(p.jobs_stream.max_msgs, 10000);
  EXPECT_EQ(p.dlq_stream.max_msgs, 1000);
  EXPECT_EQ(p.buckets[0].max_bytes, 104857600);
  EXPECT_EQ(p.audit_stream->max_bytes, 52428800);
  EXPECT_EQ(p.object_store->max_bytes, 10737418240LL);
}

class ProvisionTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<osapi::testing::NatsServer>();
    messaging::ConnectOptions o;
    o.url = server_->url();
    auto c = messaging::Connection::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = *c;
  }
  std::unique_ptr<osapi::testing::NatsServer> server_;
  std::shared_ptr<messaging::Connection> conn_;
};

TEST_P(ProvisionTest, CreatesEveryObjectWithConfiguredSettingsAndIsIdempotent) {
  const std::string ns = GetParam();
  auto n = [&](const std::string& name) { return config::ns_name(ns, name); };
  config::Config cfg;
  cfg.nats.kv.ttl = 2h;
  cfg.nats.kv.max_bytes = 1048576;
  cfg.nats.stream.max_msgs = 500;
  cfg.nats.stream.discard = "new";
  cfg.nats.stream.storage = "memory";
  cfg.agent.consumer.max_deliver = 3;
  cfg.agent.consumer.ack_wait = 45s;
  cfg.agent.consumer.max_ack_pending = 77;
  cfg.nats.audit.storage = "memory";
  cfg.nats.facts.ttl = 7min;
  cfg.nats.facts.storage = "memory";

  auto st = provision(*conn_, cfg, ns, true);
  ASSERT_TRUE(st.ok()) << st.error().message;

  auto jobs = conn_->stream_info(n("JOBS"));
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  EXPECT_EQ(jobs->subjects, (std::vector<std::string>{config::ns_subject(ns, "jobs.>")}));
  EXPECT_EQ(jobs->max_age, Nanos(24h));
  EXPECT_EQ(jobs->max_msgs, 500);
  EXPECT_EQ(jobs->storage, "memory");
  EXPECT_EQ(jobs->discard, "new");
  EXPECT_EQ(jobs->replicas, 1);
  EXPECT_EQ(jobs->duplicate_window, Nanos(2min));

  auto dlq = conn_->stream_info(n("JOBS-DLQ"));
  ASSERT_TRUE(dlq.ok()) << dlq.error().message;
  EXPECT_EQ(dlq->max_age, Nanos(168h));
  EXPECT_EQ(dlq->max_msgs, 1000);
  EXPECT_EQ(dlq->storage, "file");
  EXPECT_EQ(dlq->subjects, (std::vector<std::string>{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." +
                                                     n("JOBS") + ".*"}));

  auto objects = conn_->stream_info("OBJ_" + n("file-objects"));
  ASSERT_TRUE(objects.ok()) << objects.error().message;
  EXPECT_EQ(objects->subjects, (std::vector<std::string>{"$O." + n("file-objects") + ".C.>",
                                                         "$O." + n("file-objects") + ".M.>"}));
  EXPECT_EQ(objects->max_bytes, 10737418240LL);
  EXPECT_EQ(objects->discard, "new");

  for (const std::string bucket : {"job-queue", "job-responses"}) {
    auto kv = conn_->stream_info("KV_" + n(bucket));
    ASSERT_TRUE(kv.ok()) << bucket << ": " << kv.error().message;
    EXPECT_EQ(kv->max_age, Nanos(2h)) << bucket;
    EXPECT_EQ(kv->max_bytes, 1048576) << bucket;
    EXPECT_EQ(kv->max_msgs_per_subject, 1) << bucket;
  }
  auto audit = conn_->stream_info(n("AUDIT"));
  ASSERT_TRUE(audit.ok()) << audit.error().message;
  EXPECT_EQ(audit->subjects, (std::vector<std::string>{config::ns_subject(ns, "audit.>")}));
  EXPECT_EQ(audit->max_age, Nanos(720h));
  EXPECT_EQ(audit->max_bytes, 52428800);
  EXPECT_EQ(audit->max_msgs, -1);
  EXPECT_EQ(audit->discard, "old");
  EXPECT_EQ(audit->storage, "memory");
  EXPECT_EQ(audit->replicas, 1);
  EXPECT_FALSE(conn_->stream_info("KV_" + n("audit-log")).ok()) << "no audit KV any more";
  EXPECT_FALSE(conn_->stream_info("KV_" + n("AUDIT")).ok());
  auto registry = conn_->stream_info("KV_" + n("agent-registry"));
  ASSERT_TRUE(registry.ok());
  EXPECT_EQ(registry->max_age, Nanos(30s));
  EXPECT_EQ(registry->max_bytes, 67108864);  // built-in bound, no YAML key
  auto facts = conn_->stream_info("KV_" + n("agent-facts"));
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->max_age, Nanos(7min));
  EXPECT_EQ(facts->max_msgs_per_subject, 1);
  EXPECT_EQ(facts->storage, "memory");
  for (const std::string bucket : {"agent-state", "file-state"}) {
    auto kv = conn_->stream_info("KV_" + n(bucket));
    ASSERT_TRUE(kv.ok()) << bucket << ": " << kv.error().message;
    EXPECT_EQ(kv->max_age, Nanos(0)) << bucket;  // no TTL
    EXPECT_EQ(kv->storage, "file") << bucket;
  }
  EXPECT_FALSE(conn_->stream_info("KV_" + n("agent-enrollment")).ok()) << "PKI is off";
  // Every bucket is bounded and a full one refuses writes instead of dropping entries.
  for (const std::string bucket : {"job-queue", "job-responses", "agent-registry", "agent-facts",
                                   "agent-state", "file-state"}) {
    auto kv = conn_->stream_info("KV_" + n(bucket));
    ASSERT_TRUE(kv.ok()) << bucket;
    EXPECT_GT(kv->max_bytes, 0) << bucket;
    EXPECT_EQ(kv->discard, "new") << bucket;
  }
  EXPECT_GT(jobs->max_bytes, 0);
  EXPECT_GT(dlq->max_bytes, 0);

  for (const std::string kind : {"query", "modify"}) {
    auto ci = conn_->consumer_info(n("JOBS"), "jobs-agent_" + kind + "_any");
    ASSERT_TRUE(ci.ok()) << ci.error().message;
    EXPECT_EQ(ci->filter_subject, config::ns_subject(ns, "jobs." + kind + "._any"));
    EXPECT_EQ(ci->deliver_policy, "all");
    EXPECT_EQ(ci->ack_policy, "explicit");
    EXPECT_EQ(ci->max_deliver, 3);
    EXPECT_EQ(ci->max_ack_pending, 77);
    EXPECT_EQ(ci->backoff, (std::vector<Nanos>{30s, 2min}));  // truncated to max_deliver−1
  }

  // Second run: idempotent (both modes), nothing duplicated.
  ASSERT_TRUE(provision(*conn_, cfg, ns, true).ok());
  ASSERT_TRUE(provision(*conn_, cfg, ns, false).ok());
  EXPECT_EQ(conn_->stream_info(n("JOBS"))->consumers, 2);

  // Create-missing-only never changes an existing object; update does.
  config::Config changed = cfg;
  changed.nats.kv.ttl = 3h;
  changed.agent.consumer.max_ack_pending = 99;
  changed.nats.audit.max_age = 48h;
  changed.nats.audit.max_bytes = 1048576;
  changed.nats.facts.ttl = 9min;
  ASSERT_TRUE(provision(*conn_, changed, ns, false).ok());
  EXPECT_EQ(conn_->stream_info("KV_" + n("job-queue"))->max_age, Nanos(2h));
  EXPECT_EQ(conn_->consumer_info(n("JOBS"), "jobs-agent_query_any")->max_ack_pending, 77);
  EXPECT_EQ(conn_->stream_info(n("AUDIT"))->max_age, Nanos(720h));
  EXPECT_EQ(conn_->stream_info("KV_" + n("agent-facts"))->max_age, Nanos(7min));
  ASSERT_TRUE(provision(*conn_, changed, ns, true).ok());
  EXPECT_EQ(conn_->stream_info("KV_" + n("job-queue"))->max_age, Nanos(3h));
  EXPECT_EQ(conn_->consumer_info(n("JOBS"), "jobs-agent_query_any")->max_ack_pending, 99);
  EXPECT_EQ(conn_->stream_info(n("AUDIT"))->max_age, Nanos(48h));
  EXPECT_EQ(conn_->stream_info(n("AUDIT"))->max_bytes, 1048576);
  EXPECT_EQ(conn_->stream_info("KV_" + n("agent-facts"))->max_age, Nanos(9min));
}

TEST_P(ProvisionTest, EnrollmentBucketOnlyWithControllerPki) {
  const std::string ns = GetParam();
  config::Config cfg;
  cfg.controller.pki.enabled = true;
  cfg.nats.enrollment.storage = "memory";
  auto st = provision(*conn_, cfg, ns, false);
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto kv = conn_->stream_info("KV_" + config::ns_name(ns, "agent-enrollment"));
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  EXPECT_EQ(kv->storage, "memory");
  EXPECT_EQ(kv->max_age, Nanos(0));
}

TEST_P(ProvisionTest, DisabledAuditAndBucketsAreNotCreated) {
  const std::string ns = GetParam();
  config::Config cfg;
  cfg.nats.audit.stream = "";
  cfg.nats.facts.bucket = "";
  cfg.nats.state.bucket = "";
  cfg.nats.file_state.bucket = "";
  ASSERT_TRUE(provision(*conn_, cfg, ns, true).ok());
  EXPECT_FALSE(conn_->stream_info(config::ns_name(ns, "AUDIT")).ok());
  for (const std::string b : {"agent-facts", "agent-state", "file-state"})
    EXPECT_FALSE(conn_->stream_info("KV_" + config::ns_name(ns, b)).ok()) << b;
  EXPECT_TRUE(conn_->stream_info("KV_" + config::ns_name(ns, "job-queue")).ok());

  config::Config no_subject;
  no_subject.nats.audit.subject = "";
  auto bad = provision(*conn_, no_subject, ns, true);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("nats.audit.subject"), std::string::npos);
}

// An audit stream provisioned here takes entries on <ns>.audit.<id> and nothing else.
TEST_P(ProvisionTest, AuditStreamTakesEntriesOnItsSubjects) {
  const std::string ns = GetParam();
  config::Config cfg;
  ASSERT_TRUE(provision(*conn_, cfg, ns, false).ok());
  const std::string subject =
      config::ns_subject(ns, "audit") + ".0190a4c2-0000-7000-8000-0000000000aa";
  auto seq = conn_->js_publish(subject, "{}");
  ASSERT_TRUE(seq.ok()) << seq.error().message;
  auto last = conn_->last_stream_message(config::ns_name(ns, "AUDIT"), subject);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->sequence, *seq);
}

TEST_P(ProvisionTest, DefaultBackoffWithDefaultMaxDeliverIsAccepted) {
  config::Config cfg;  // max_deliver 5 with 5 back_off entries: 2.9 needs truncation
  auto st = provision(*conn_, cfg, GetParam(), false);
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto ci = conn_->consumer_info(config::ns_name(GetParam(), "JOBS"), "jobs-agent_modify_any");
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->backoff.size(), 4u);
}

TEST_P(ProvisionTest, MissingObjectIsRecreatedInCreateOnlyMode) {
  config::Config cfg;
  ProvisionParts api;
  api.consumers = false;
  ASSERT_TRUE(provision(*conn_, cfg, GetParam(), false, api).ok());
  EXPECT_EQ(conn_->stream_info(config::ns_name(GetParam(), "JOBS"))->consumers, 0);
  ASSERT_TRUE(provision(*conn_, cfg, GetParam(), false).ok());
  EXPECT_EQ(conn_->stream_info(config::ns_name(GetParam(), "JOBS"))->consumers, 2);
}

INSTANTIATE_TEST_SUITE_P(Namespaces, ProvisionTest, ::testing::Values("osapi", ""),
                         [](const auto& info) {
                           return info.param.empty() ? std::string("empty") : info.param;
                         });

}  // namespace
}  // namespace osapi::job
