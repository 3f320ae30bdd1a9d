// Audit log through the real binary (acceptance AL-7, AL-8, AE-2).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "stack.h"

using namespace osapi::testing;
using json = nlohmann::json;

namespace {

// Audit entries newest first, as `client audit list -j` returns them.
json audit_items(Stack& stack) {
  auto r = stack.osapi({"-j", "client", "audit", "list", "--limit", "100"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto j = json::parse(r.out, nullptr, false);
  return j.is_object() ? j["items"] : json::array();
}

// Entries other than the audit reads themselves (each poll is audited too).
json non_audit_items(const json& items) {
  json out = json::array();
  for (const auto& e : items)
    if (e["path"].get<std::string>().rfind("/api/audit", 0) != 0) out.push_back(e);
  return out;
}

json wait_for_entries(Stack& stack, size_t n) {
  json found = json::array();
  for (int i = 0; i < 100; ++i) {
    found = non_audit_items(audit_items(stack));
    if (found.size() >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return found;
}

std::string last_trace_id(const std::string& err) {
  std::smatch m;
  std::string last;
  std::string s = err;
  static const std::regex re("trace_id=([0-9a-f]{32})");
  while (std::regex_search(s, m, re)) {
    last = m[1];
    s = m.suffix();
  }
  return last;
}

}  // namespace

TEST(E2EAudit, AL7_AL8_NewestFirstV7IdsOperationIdsAndTraceIds) {
  StackOptions o;
  o.agents = {};
  Stack stack(o);
  stack.start_all();

  auto node = stack.osapi({"client", "agent", "list", "--trace"});
  ASSERT_EQ(node.code, 0) << node.err;
  const std::string node_trace = last_trace_id(node.err);
  ASSERT_EQ(node_trace.size(), 32u) << node.err;
  auto job = stack.curl(
      {"-H", "Authorization: Bearer " + stack.token("admin"), stack.api_url() + "/api/job"});
  ASSERT_EQ(job.code, 0) << job.err;

  const json entries = wait_for_entries(stack, 2);
  ASSERT_EQ(entries.size(), 2u) << entries.dump();
  EXPECT_EQ(entries[0]["path"], "/api/job");  // AL-7: newest first
  EXPECT_EQ(entries[1]["path"], "/api/agent");
  for (const auto& e : entries) {
    const std::string id = e["id"];
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '7') << id;  // UUIDv7
    EXPECT_EQ(e["user"], "e2e@test");
    EXPECT_EQ(e["roles"], json::array({"admin"}));
  }
  EXPECT_GT(entries[0]["id"].get<std::string>(), entries[1]["id"].get<std::string>());
  EXPECT_EQ(entries[1]["operation_id"], "getAgents");  // AL-8
  EXPECT_EQ(entries[0]["operation_id"], "getJobs");
  // The entry carries the trace of the request that caused it.
  EXPECT_EQ(entries[1]["trace_id"], node_trace);

  // Human output and `audit get`.
  auto list = stack.osapi({"client", "audit", "list", "--limit", "5"});
  EXPECT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("Total:"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("Audit Entries"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("DURATION"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("TRACE ID"), std::string::npos) << list.out;
  const std::string node_id = entries[1]["id"];
  auto get = stack.osapi({"client", "audit", "get", "--audit-id", node_id});
  EXPECT_EQ(get.code, 0) << get.err;
  EXPECT_NE(get.out.find("Operation: getAgents"), std::string::npos) << get.out;
  EXPECT_NE(get.out.find("Trace ID: " + node_trace), std::string::npos) << get.out;
  EXPECT_NE(get.out.find("Source IP: 127.0.0.1"), std::string::npos) << get.out;
  auto bad = stack.osapi({"client", "audit", "get", "--audit-id", "not-a-uuid"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("Error: "), std::string::npos) << bad.err;
  auto zero = stack.osapi({"client", "audit", "list", "--limit", "0"});
  EXPECT_EQ(zero.code, 1);
  EXPECT_NE(zero.err.find("API returned 400"), std::string::npos) << zero.err;
}

TEST(E2EAudit, AE2_ExportWritesJsonLinesNewestFirst) {
  StackOptions o;
  o.agents = {};
  o.exporter = "";
  Stack stack(o);
  stack.start_all();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(stack.osapi({"client", "agent", "list"}).code, 0);
  ASSERT_EQ(wait_for_entries(stack, 3).size(), 3u);

  auto unsupported = stack.osapi({"client", "audit", "export", "--output", "x", "--type", "s3"});
  EXPECT_EQ(unsupported.code, 1);
  EXPECT_NE(unsupported.err.find("Error: unsupported export type: s3"), std::string::npos)
      << unsupported.err;

  const std::string path = stack.dir().file("audit.jsonl");
  stack.dir().write("audit.jsonl", "stale content to be truncated\n");
  auto r = stack.osapi({"client", "audit", "export", "--output", path});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(path);
  std::vector<nlohmann::ordered_json> lines;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::ordered_json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j.dump(), line) << "one compact object per line";
    lines.push_back(j);
  }
  ASSERT_GE(lines.size(), 3u);
  for (size_t i = 1; i < lines.size(); ++i)
    EXPECT_GT(lines[i - 1]["id"].get<std::string>(), lines[i]["id"].get<std::string>());
  const std::string n = std::to_string(lines.size());
  EXPECT_TRUE(std::regex_search(r.out, std::regex("Exported: " + n + " +Total: " + n))) << r.out;
  EXPECT_NE(r.out.find("Output: " + path), std::string::npos) << r.out;
}
