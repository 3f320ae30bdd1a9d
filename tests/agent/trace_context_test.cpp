// The agent continues the trace from the NATS headers, and falls back to the KV job record's
// traceparent when the notification carries none.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "job/model.h"
#include "job/subjects.h"
#include "job/provision.h"
#include "process.h"
#include "telemetry/tracing.h"

using namespace osapi;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kParent = "00f067aa0ba902b7";
constexpr const char* kHeaderTrace = "0af7651916cd43dd8448eb211c80319c";
constexpr const char* kHeaderParent = "b7ad6b7169203331";

std::string read_all(FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

// job id → (trace id, parent span id) of every exported job.process span.
std::map<std::string, std::pair<std::string, std::string>> process_spans(const std::string& text) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    auto j = json::parse(text.substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    if (j.is_discarded() || !j.contains("resourceSpans")) continue;
    for (const auto& rs : j["resourceSpans"])
      for (const auto& ss : rs["scopeSpans"])
        for (const auto& s : ss["spans"])
          if (s["name"] == "job.process")
            for (const auto& a : s["attributes"])
              if (a["key"] == "job.id")
                out[a["value"]["stringValue"].get<std::string>()] = {s.value("traceId", ""),
                                                                     s.value("parentSpanId", "")};
  }
  return out;
}

}  // namespace

TEST(AgentTraceContext, HeadersFirstThenJobRecord) {
  osapi::testing::NatsServer nats;
  config::Config cfg;
  for (auto* n : {&cfg.controller.nats, &cfg.agent.nats}) {
    n->host = "127.0.0.1";
    n->port = nats.port();
  }
  osapi::testing::TempDir ids;
  cfg.agent.machine_id_file = ids.write("machine-id", "7ace0000000000000000000000000001\n");
  FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  {
    telemetry::TracingOptions to;
    to.service_name = "osapi-agent";
    to.tracing.enabled = true;
    to.tracing.exporter = "stdout";
    to.stdout_exporter_stream = sink;
    auto handle = telemetry::init_tracing(to);
    ASSERT_TRUE(handle.ok()) << handle.error().message;

    messaging::ConnectOptions co;
    co.url = nats.url();
    auto conn = messaging::Connection::connect(co);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(job::provision(**conn, cfg, "", true).ok());
    const auto names = job::Names::from(cfg, "");
    auto kv = (*conn)->key_value(names.jobs_bucket);
    ASSERT_TRUE(kv.ok());

    agent::Agent agent(cfg, "agent-t");
    ASSERT_TRUE(agent.start().ok());

    auto submit = [&](const std::string& id, const Headers& headers) {
      job::JobRecord rec;
      rec.id = id;
      rec.created = "2026-01-01T00:00:00Z";
      rec.subject = "jobs.query._any";
      rec.operation = json{{"type", "node.hostname.get"}, {"data", json::object()}};
      rec.traceparent = std::string("00-") + kTrace + "-" + kParent + "-01";
      ASSERT_TRUE((*kv)->put(job::job_key(id), rec.to_json().dump()).ok());
      auto watch = (*kv)->watch(job::responses_prefix(id) + ">");
      ASSERT_TRUE(watch.ok());
      ASSERT_TRUE((*conn)->js_publish(rec.subject, id, headers, id).ok());
      bool answered = false;
      for (int i = 0; i < 100 && !answered; ++i) {
        auto e = (*watch)->next(std::chrono::milliseconds(100));
        answered = e.ok() && e->has_value();
      }
      ASSERT_TRUE(answered) << "no response for " << id;
    };
    // 1. No headers: the record's traceparent is the parent.
    submit("11111111-1111-4111-8111-111111111111", {});
    // 2. Headers win over the record (Go-style capitalised name).
    submit("22222222-2222-4222-8222-222222222222",
           {{"Traceparent", std::string("00-") + kHeaderTrace + "-" + kHeaderParent + "-01"}});
    agent.stop(std::chrono::seconds(5));
  }  // handle destroyed: spans flushed
  const auto spans = process_spans(read_all(sink));
  std::fclose(sink);
  ASSERT_EQ(spans.size(), 2u);
  const auto& from_record = spans.at("11111111-1111-4111-8111-111111111111");
  EXPECT_EQ(from_record.first, kTrace);
  EXPECT_EQ(from_record.second, kParent);
  const auto& from_headers = spans.at("22222222-2222-4222-8222-222222222222");
  EXPECT_EQ(from_headers.first, kHeaderTrace);
  EXPECT_EQ(from_headers.second, kHeaderParent);
}
