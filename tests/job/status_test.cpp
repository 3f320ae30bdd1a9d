#include "job/status.h"

#include "job/agent_record.h"

#include <gtest/gtest.h>

using namespace osapi;
using namespace osapi::job;

namespace {

JobRecord record() {
  JobRecord r;
  r.id = "550e8400-e29b-41d4-a716-446655440000";
  r.created = "2025-06-14T10:00:00Z";
  r.operation = json{{"type", "node.hostname.get"}, {"data", json::object()}};
  return r;
}

StatusEvent ev(const std::string& event, const std::string& host, int64_t ns,
               json data = json::object()) {
  StatusEvent e;
  e.job_id = "550e8400-e29b-41d4-a716-446655440000";
  e.event = event;
  e.hostname = host;
  e.unix_nano = ns;
  e.data = std::move(data);
  return e;
}

JobResponse resp(const std::string& host, const std::string& status, json data, int64_t ns) {
  JobResponse r;
  r.job_id = "550e8400-e29b-41d4-a716-446655440000";
  r.hostname = host;
  r.status = status;
  r.data = std::move(data);
  r.unix_nano = ns;
  return r;
}

}  // namespace

TEST(ComputeStatus, ApiFailedEventMeansNotQueued) {
  auto v = compute_status(record(),
                          {ev("submitted", "_api", 1),
                           ev("failed", "_api", 2, json{{"error", "job was not queued: full"}})},
                          {});
  EXPECT_EQ(v.status, "failed");
  EXPECT_EQ(v.error, "job was not queued: full");
  EXPECT_TRUE(v.agent_states.empty());
  ASSERT_EQ(v.timeline.size(), 2u);
  EXPECT_EQ(v.timeline[1].message, "Job was not queued");
  // An agent that reports anyway (the publish got through after all) decides the status.
  auto ran = compute_status(
      record(), {ev("failed", "_api", 2, json{{"error", "x"}}), ev("completed", "h1", 3)}, {});
  EXPECT_EQ(ran.status, "completed");
  EXPECT_EQ(ran.error, "");
}

TEST(ComputeStatus, NoEventsIsSubmitted) {
  auto v = compute_status(record(), {}, {});
  EXPECT_EQ(v.status, "submitted");
  auto j = to_detail_json(v);
  EXPECT_FALSE(j.contains("timeline"));
  EXPECT_FALSE(j.contains("result"));
  EXPECT_FALSE(j.contains("error"));
}

TEST(ComputeStatus, OnlySubmittedByApiIsSubmitted) {
  auto v = compute_status(record(), {ev("submitted", "_api", 1)}, {});
  EXPECT_EQ(v.status, "submitted");
  EXPECT_EQ(v.timeline.size(), 1u);
  EXPECT_EQ(v.timeline[0].message, "Job submitted to queue");
}

TEST(ComputeStatus, CompletedWithSingleResult) {
  auto v = compute_status(record(),
                          {ev("submitted", "_api", 1), ev("acknowledged", "agent-1", 2),
                           ev("started", "agent-1", 3), ev("completed", "agent-1", 1'000'003)},
                          {resp("agent-1", "completed", json{{"hostname", "agent-1"}}, 5)});
  EXPECT_EQ(v.status, "completed");
  EXPECT_EQ(v.hostname, "agent-1");
  EXPECT_EQ(v.result["hostname"], "agent-1");
  EXPECT_EQ(v.agent_states["agent-1"].duration, "1ms");
  auto j = to_detail_json(v);
  EXPECT_FALSE(j.contains("responses"));
  EXPECT_TRUE(j.contains("result"));
}

TEST(ComputeStatus, FailedCarriesError) {
  auto v = compute_status(record(),
                          {ev("submitted", "_api", 1), ev("started", "agent-1", 2),
                           ev("failed", "agent-1", 3, json{{"error", "disk full"}})},
                          {});
  EXPECT_EQ(v.status, "failed");
  EXPECT_EQ(v.error, "disk full");
  EXPECT_EQ(v.agent_states["agent-1"].error, "disk full");
}

TEST(ComputeStatus, MixedIsPartialFailure) {
  auto v = compute_status(
      record(),
      {ev("completed", "web-01.example.com", 3), ev("failed", "db-1", 4, json{{"error", "x"}})},
      {resp("web-01.example.com", "completed", json{{"a", 1}}, 3),
       resp("db-1", "failed", nullptr, 4)});
  EXPECT_EQ(v.status, "partial_failure");
  auto j = to_detail_json(v);
  ASSERT_TRUE(j.contains("responses"));
  EXPECT_TRUE(j["responses"].contains("web-01.example.com"));  // raw hostname keys
  EXPECT_TRUE(j["agent_states"].contains("db-1"));
  EXPECT_FALSE(j.contains("result"));
}

TEST(ComputeStatus, StartedOrAcknowledgedIsProcessing) {
  EXPECT_EQ(compute_status(record(), {ev("started", "a", 2)}, {}).status, "processing");
  EXPECT_EQ(compute_status(record(), {ev("acknowledged", "a", 2)}, {}).status, "processing");
}

TEST(ComputeStatus, OutOfOrderEventsAreSorted) {
  auto v = compute_status(
      record(), {ev("completed", "a", 30), ev("submitted", "_api", 10), ev("started", "a", 20)},
      {});
  ASSERT_EQ(v.timeline.size(), 3u);
  EXPECT_EQ(v.timeline[0].event, "submitted");
  EXPECT_EQ(v.timeline[2].event, "completed");
  EXPECT_EQ(v.status, "completed");
  EXPECT_EQ(v.updated_at, rfc3339_nano(from_unix_nano(30)));
}

TEST(ComputeStatus, RetriedMessageNamesNewJob) {
  auto v = compute_status(record(), {ev("retried", "_api", 5, json{{"new_job_id", "abc"}})}, {});
  EXPECT_EQ(v.timeline[0].message, "Job retried as abc");
}

TEST(ComputeStatus, LatestResponsePerHostWins) {
  auto v = compute_status(
      record(), {}, {resp("a", "failed", nullptr, 1), resp("a", "completed", json{{"x", 1}}, 2)});
  EXPECT_EQ(v.responses["a"].status, "completed");
  EXPECT_EQ(v.result["x"], 1);
}

TEST(ModelParse, MalformedInputIsAnErrorNotACrash) {
  EXPECT_FALSE(JobRecord::parse("{nope").ok());
  EXPECT_FALSE(StatusEvent::parse("[]").ok());
  EXPECT_FALSE(JobResponse::parse("").ok());
  EXPECT_FALSE(AgentInfo::parse("{}").ok());
  auto r =
      JobRecord::parse(R"({"id":"x","operation":{"type":"node.hostname.get"},"traceparent":"tp"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type(), "node.hostname.get");
  EXPECT_EQ(r->traceparent, "tp");
}

TEST(ModelKeys, EventAndResponseKeys) {
  auto e = ev("completed", "web-01.example.com", 42);
  EXPECT_EQ(e.key(), "status.550e8400-e29b-41d4-a716-446655440000.completed.web-01_example_com.42");
  EXPECT_EQ(key_unix_nano(e.key()), 42);
  EXPECT_EQ(registry_key("web-01.example.com"), "agents.web_01_example_com");
}
