// E2E-5 with tracing: one trace across CLI → controller → NATS → agent, visible in every
// process's logs and in the exported span parent chain.
#include <gtest/gtest.h>

#include <regex>

#include "stack.h"

using namespace osapi::testing;

namespace {

std::string trace_id_from_cli(const std::string& err) {
  std::smatch m;
  std::regex re("(^|\n)trace_id=([0-9a-f]{32})\n");
  std::string last;
  auto begin = err.cbegin();
  while (std::regex_search(begin, err.cend(), m, re)) {
    last = m[2];
    begin = m.suffix().first;
  }
  return last;
}

// Log lines (text format) that carry trace_id=<id>.
int lines_with(const std::string& text, const std::string& id) {
  int n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.find(" trace_id=" + id + " span_id=") != std::string::npos) ++n;
  return n;
}

const SpanRecord* find_span(const std::vector<SpanRecord>& spans, const std::string& id) {
  for (const auto& s : spans)
    if (s.span_id == id) return &s;
  return nullptr;
}

}  // namespace

TEST(E2ETrace, NodeHostnameSharesOneTraceAcrossProcesses) {
  Stack stack;
  stack.start_all();
  // The tracing guide's command: a bare `node hostname` runs `get` on every agent (_all).
  auto r = stack.osapi({"client", "node", "hostname", "--debug"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("HOSTNAME"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Job ID:"), std::string::npos);
  const std::string id = trace_id_from_cli(r.err);
  ASSERT_EQ(id.size(), 32u) << r.err;

  stack.stop_all();  // flushes the servers' batch processors
  const std::string api_log = stack.api()->err();
  const std::string agent_log = stack.agent()->err();

  // (a) the same trace id in the CLI's, the API server's and the agent's log lines.
  EXPECT_GE(lines_with(r.err, id), 1) << r.err;
  EXPECT_GE(lines_with(api_log, id), 2) << api_log;  // publishing job request + Incoming request
  EXPECT_GE(lines_with(agent_log, id), 2) << agent_log;
  EXPECT_NE(agent_log.find("processing job"), std::string::npos);

  // (b) job.process → publish → API server span → CLI client span → CLI root span.
  std::vector<SpanRecord> spans = parse_spans(r.err);
  for (const auto& s : parse_spans(stack.api()->out())) spans.push_back(s);
  for (const auto& s : parse_spans(stack.agent()->out())) spans.push_back(s);
  const SpanRecord* process = nullptr;
  for (const auto& s : spans)
    if (s.name == "job.process" && s.trace_id == id) process = &s;
  ASSERT_NE(process, nullptr) << "no job.process span for trace " << id;
  EXPECT_EQ(process->service, "osapi-agent");
  EXPECT_EQ(process->kind, 5);  // CONSUMER
  EXPECT_EQ(process->attributes.at("messaging.system"), "nats");
  EXPECT_EQ(process->attributes.at("job.type"), "node.hostname.get");

  const SpanRecord* publish = find_span(spans, process->parent_span_id);
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(publish->kind, 4);  // PRODUCER
  EXPECT_EQ(publish->service, "osapi-controller");
  EXPECT_EQ(publish->name, "publish osapi.jobs.query._all");

  const SpanRecord* server = find_span(spans, publish->parent_span_id);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->kind, 2);  // SERVER
  EXPECT_EQ(server->name, "GET /api/node/{hostname}/hostname");
  EXPECT_EQ(server->attributes.at("http.route"), "/api/node/{hostname}/hostname");
  EXPECT_EQ(server->attributes.at("http.response.status_code"), "200");

  const SpanRecord* client = find_span(spans, server->parent_span_id);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->kind, 3);  // CLIENT
  EXPECT_EQ(client->service, "osapi-cli");

  const SpanRecord* root = find_span(spans, client->parent_span_id);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->name, "osapi client node hostname get");
  EXPECT_TRUE(root->parent_span_id.empty());
  for (const auto* s : {publish, server, client, root}) EXPECT_EQ(s->trace_id, id);
}

TEST(E2ETrace, TracingDisabledLogsCarryNoIds) {
  StackOptions o;
  o.tracing = false;
  o.exporter = "";
  Stack stack(o);
  stack.start_all();
  auto r = stack.osapi({"client", "node", "hostname"});
  ASSERT_EQ(r.code, 0) << r.err;
  stack.stop_all();
  EXPECT_EQ(stack.api()->err().find("trace_id="), std::string::npos);
  EXPECT_EQ(stack.agent()->err().find("trace_id="), std::string::npos);
}
