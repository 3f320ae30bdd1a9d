// `osapi client job list|get|delete|retry` against the real stack (acceptance E2E-7, CL-7, CL-12,
// JC-7) and the retry link in exported spans. Jobs come from node commands: the raw job
// commands (add, run, status) are gone.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "messaging/nats.h"
#include "stack.h"

using namespace osapi::testing;
using json = nlohmann::json;

namespace {

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// Number of distinct UUIDs in a text (rows of a jobs table).
size_t uuids_in(const std::string& text) {
  static const std::regex re("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it)
    seen.insert(it->str());
  return seen.size();
}

// A node command's job: `client node hostname get` on one agent, its job_id.
std::string hostname_job(Stack& stack) {
  auto r = stack.osapi({"-j", "client", "node", "hostname", "get", "-T", "_any"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto body = json::parse(r.out, nullptr, false);
  return body.is_object() ? body.value("job_id", "") : "";
}

// Polls `client job get -j` until the job's status is `status`.
json wait_job(Stack& stack, const std::string& id, const std::string& status) {
  json last;
  for (int i = 0; i < 100; ++i) {
    auto r = stack.osapi({"-j", "client", "job", "get", "--job-id", id});
    last = json::parse(r.out, nullptr, false);
    if (last.is_object() && last.value("status", "") == status) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ADD_FAILURE() << "job " << id << " never reached " << status << ": " << last.dump();
  return last;
}

// Every exported span (OTLP-JSON lines) as its raw JSON object.
std::vector<json> raw_spans(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto doc = json::parse(line, nullptr, false);
    if (!doc.is_object() || !doc.contains("resourceSpans")) continue;
    for (const auto& rs : doc["resourceSpans"])
      for (const auto& ss : rs.value("scopeSpans", json::array()))
        for (const auto& s : ss.value("spans", json::array())) out.push_back(s);
  }
  return out;
}

std::string attribute(const json& span, const std::string& key) {
  for (const auto& a : span.value("attributes", json::array()))
    if (a.value("key", "") == key && a.contains("value") && a["value"].contains("stringValue"))
      return a["value"]["stringValue"];
  return "";
}

}  // namespace

TEST(E2EJob, E2E7_JC7_DetailOfANodeCommandsJobAndRetryRecord) {
  Stack stack;
  stack.start_all();

  // E2E-7: detail view, status completed, one Timeline with submitted … completed.
  const std::string id = hostname_job(stack);
  ASSERT_EQ(id.size(), 36u);
  wait_job(stack, id, "completed");
  auto r = stack.osapi({"client", "job", "get", "--job-id", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Status: completed")) << r.out;
  const auto timeline = r.out.find("Timeline:");
  ASSERT_NE(timeline, std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Timeline:", timeline + 1), std::string::npos);
  const auto submitted = r.out.find("submitted", timeline);
  ASSERT_NE(submitted, std::string::npos);
  EXPECT_NE(r.out.find("completed", submitted), std::string::npos);
  EXPECT_TRUE(has(r.out, "Trace ID: ")) << r.out;  // tracing is on in the stack
  EXPECT_TRUE(has(r.out, "Job Request:")) << r.out;

  // JC-7: the stored record's status and revision are the values of the retry's 201 body.
  r = stack.osapi({"-j", "client", "job", "retry", "--job-id", id});
  ASSERT_EQ(r.code, 0) << r.err;
  const json created = json::parse(r.out);
  osapi::messaging::ConnectOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(stack.nats_port());
  auto conn = osapi::messaging::Connection::connect(o);
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  auto kv = (*conn)->key_value("osapi-job-queue");
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  auto entry = (*kv)->get("jobs." + created["job_id"].get<std::string>());
  ASSERT_TRUE(entry.ok() && entry->has_value());
  EXPECT_EQ(json::parse((*entry)->value)["status"], created["status"]);
  EXPECT_EQ((*entry)->revision, created["revision"].get<uint64_t>());

  // Human output of retry.
  r = stack.osapi({"client", "job", "retry", "--job-id", id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Job ID: ") && has(r.out, "Revision: ")) << r.out;
}

TEST(E2EJob, CL7_ListLimitZeroShowsAllAndDelete) {
  StackOptions opts;
  opts.exporter = "";
  Stack stack(opts);
  stack.start_all();
  std::vector<std::string> ids;
  for (int i = 0; i < 15; ++i) {
    ids.push_back(hostname_job(stack));
    ASSERT_EQ(ids.back().size(), 36u);
  }
  for (const auto& id : ids) wait_job(stack, id, "completed");

  auto r = stack.osapi({"client", "job", "list", "--limit", "0"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(uuids_in(r.out), 15u) << r.out;
  EXPECT_TRUE(has(r.out, "Total: 15")) << r.out;
  EXPECT_TRUE(has(r.out, "Completed: 15")) << r.out;
  EXPECT_TRUE(has(r.out, "node.hostname.get"));

  r = stack.osapi({"client", "job", "list"});  // default limit 10: page is full
  EXPECT_EQ(uuids_in(r.out), 10u) << r.out;
  EXPECT_TRUE(has(r.out, "Filter: offset 0, limit 10")) << r.out;

  r = stack.osapi({"-j", "client", "job", "list", "--limit", "5", "--offset", "12"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json listed = json::parse(r.out);
  EXPECT_EQ(listed["displayed_jobs"], 3);
  EXPECT_EQ(listed["total_jobs"], 15);
  EXPECT_EQ(listed["filter_applied"], false);
  EXPECT_EQ(listed["limit_applied"], true);
  EXPECT_EQ(listed["offset_applied"], 12);
  EXPECT_EQ(listed["jobs"].size(), 3u);
  EXPECT_EQ(listed["status_counts"]["completed"], 15);

  r = stack.osapi({"-j", "client", "job", "list", "--status", "completed", "--limit", "0"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["filter_applied"], true);
  EXPECT_EQ(json::parse(r.out)["displayed_jobs"], 15);

  // job delete: human and JSON forms.
  r = stack.osapi({"client", "job", "delete", "--job-id", ids[0]});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Status: Deleted")) << r.out;
  r = stack.osapi({"-j", "client", "job", "delete", "--job-id", ids[1]});
  EXPECT_EQ(r.code, 0) << r.err;
  const json deleted = json::parse(r.out);
  EXPECT_EQ(deleted["status"], "deleted");
  EXPECT_EQ(deleted["job_id"], ids[1]);
  r = stack.osapi({"client", "job", "delete", "--job-id", ids[1]});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(has(r.err, "Error: API returned 404 Not Found: job not found")) << r.err;
  r = stack.osapi({"-j", "client", "job", "list"});
  EXPECT_EQ(json::parse(r.out)["total_jobs"], 13);
}

TEST(E2EJob, CL12_MalformedJobIdFailsBeforeAnyRequest) {
  StackOptions opts;
  opts.exporter = "";
  Stack stack(opts);  // nothing started: a request would fail with "cannot reach API"
  for (const char* cmd : {"get", "delete", "retry"}) {
    auto r = stack.osapi({"client", "job", cmd, "--job-id", "nope"});
    EXPECT_EQ(r.code, 1) << cmd;
    EXPECT_TRUE(has(r.err, "Error: invalid job ID: nope")) << r.err;
    EXPECT_FALSE(has(r.err, "cannot reach API")) << r.err;
  }
}

TEST(E2EJob, RetryPublishSpanLinksTheOriginalJobsTrace) {
  Stack stack;  // stdout exporter: the API's spans land on its stdout
  stack.start_all();
  const std::string original = hostname_job(stack);
  ASSERT_EQ(original.size(), 36u);
  const json detail = wait_job(stack, original, "completed");
  const std::string original_trace = detail.value("trace_id", "");
  ASSERT_EQ(original_trace.size(), 32u) << detail.dump();

  auto r = stack.osapi({"-j", "client", "job", "retry", "--job-id", original});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string retried = json::parse(r.out)["job_id"];
  const json retried_detail = wait_job(stack, retried, "completed");
  EXPECT_NE(retried_detail.value("trace_id", ""), original_trace);  // a new trace, linked
  r = stack.osapi({"client", "job", "get", "--job-id", original}, {{"COLUMNS", "300"}});
  EXPECT_TRUE(has(r.out, "Trace ID: " + original_trace)) << r.out;
  EXPECT_TRUE(has(r.out, "Job retried as " + retried)) << r.out;

  stack.stop_all();  // flushes the API's batch processor
  bool found = false;
  for (const auto& span : raw_spans(stack.api()->out())) {
    if (attribute(span, "job.id") != retried || span.value("kind", 0) != 4) continue;  // PRODUCER
    found = true;
    ASSERT_EQ(span.value("links", json::array()).size(), 1u) << span.dump();
    EXPECT_EQ(span["links"][0]["traceId"], original_trace) << span.dump();
    EXPECT_EQ(span["traceId"], retried_detail["trace_id"]);
  }
  EXPECT_TRUE(found) << stack.api()->out().substr(0, 2000);
}
