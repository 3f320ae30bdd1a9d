#include "job/subjects.h"

#include <gtest/gtest.h>

using namespace osapi::job;

TEST(Targets, ParseForms) {
  EXPECT_EQ(parse_target("_any")->kind, TargetKind::kAny);
  EXPECT_EQ(parse_target("_all")->kind, TargetKind::kAll);
  auto l = parse_target("group:web.dev");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->kind, TargetKind::kLabel);
  EXPECT_EQ(l->label_key, "group");
  EXPECT_EQ(l->label_value, "web.dev");
  EXPECT_EQ(parse_target("server1")->kind, TargetKind::kHost);
  EXPECT_EQ(parse_target(":value")->kind, TargetKind::kHost);  // colon first: a hostname
  EXPECT_EQ(parse_target("key:")->kind, TargetKind::kHost);
  EXPECT_FALSE(parse_target("gr@up:web").ok());
  EXPECT_FALSE(parse_target("group:web/dev").ok());
  EXPECT_FALSE(parse_target("").ok());
}

TEST(Targets, LabelPrefixMatch) {
  std::map<std::string, std::string> labels{{"group", "web.dev.us-east"}};
  EXPECT_TRUE(label_matches(labels, "group", "web"));
  EXPECT_TRUE(label_matches(labels, "group", "web.dev"));
  EXPECT_TRUE(label_matches(labels, "group", "web.dev.us-east"));
  EXPECT_FALSE(label_matches(labels, "group", "we"));
  EXPECT_FALSE(label_matches(labels, "env", "web"));
}

TEST(Subjects, BuildAndParse) {
  osapi::config::Config cfg;
  auto names = Names::from(cfg, "osapi");
  EXPECT_EQ(names.stream, "osapi-JOBS");
  EXPECT_EQ(names.jobs_bucket, "osapi-job-queue");
  EXPECT_EQ(subject_for(names, OpKind::kQuery, *parse_target("_any")), "osapi.jobs.query._any");
  EXPECT_EQ(subject_for(names, OpKind::kModify, *parse_target("web-01.x")),
            "osapi.jobs.modify.host.web_01_x");
  EXPECT_EQ(subject_for(names, OpKind::kQuery, *parse_target("group:web.dev")),
            "osapi.jobs.query.label.group.web.dev");
  auto plain = Names::from(cfg, "");
  EXPECT_EQ(plain.stream, "JOBS");
  EXPECT_EQ(plain.query_prefix, "jobs.query");

  auto h = parse_subject("jobs.query.host.server-01");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->target.raw, "server-01");
  auto lb = parse_subject("jobs.query.label.group.web.dev.us-east");
  ASSERT_TRUE(lb.ok());
  EXPECT_EQ(lb->target.raw, "group:web.dev.us-east");
  EXPECT_FALSE(parse_subject("jobs.query").ok());
  EXPECT_FALSE(parse_subject("jobs.query.invalid.server1").ok());
  EXPECT_FALSE(parse_subject("").ok());
  EXPECT_TRUE(parse_subject("osapi.jobs.modify._all", "osapi").ok());
}

TEST(Subjects, NamesOfBucketsAndTheAuditStreamComeFromConfig) {
  osapi::config::Config cfg;
  auto n = Names::from(cfg, "osapi");
  EXPECT_EQ(n.registry_bucket, "osapi-agent-registry");
  EXPECT_EQ(n.facts_bucket, "osapi-agent-facts");
  EXPECT_EQ(n.state_bucket, "osapi-agent-state");
  EXPECT_EQ(n.file_state_bucket, "osapi-file-state");
  EXPECT_EQ(n.enrollment_bucket, "osapi-agent-enrollment");
  EXPECT_EQ(n.audit_stream, "osapi-AUDIT");
  EXPECT_EQ(n.audit_subject, "osapi.audit");
  auto plain = Names::from(cfg, "");
  EXPECT_EQ(plain.audit_stream, "AUDIT");
  EXPECT_EQ(plain.audit_subject, "audit");

  cfg.nats.audit.stream = "";
  cfg.nats.facts.bucket = "";
  cfg.nats.state.bucket = "";
  cfg.nats.audit.subject = "trail";
  auto off = Names::from(cfg, "osapi");
  EXPECT_EQ(off.audit_stream, "");
  EXPECT_EQ(off.audit_subject, "");
  EXPECT_EQ(off.facts_bucket, "");
  EXPECT_EQ(off.state_bucket, "");
  cfg.nats.audit.stream = "TRAIL";
  EXPECT_EQ(Names::from(cfg, "t1").audit_subject, "t1.trail");
}

TEST(Subjects, KindForFreeFormTypes) {
  EXPECT_EQ(kind_for_type("node.hostname.get"), OpKind::kQuery);
  EXPECT_EQ(kind_for_type("network.ping.do"), OpKind::kQuery);
  EXPECT_EQ(kind_for_type("node.reboot.execute"), OpKind::kQuery);
  EXPECT_EQ(kind_for_type("command.exec.execute"), OpKind::kModify);
}
