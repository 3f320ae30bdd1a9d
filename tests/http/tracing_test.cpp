// Server and client spans through the real telemetry layer, exported by the stdout exporter to
// a temp file and parsed back.
#include <gtest/gtest.h>

// Designated initializers that leave fields at their defaults are the point here.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <cstdio>

#include <opentelemetry/trace/scope.h>

#include "http/client.h"
#include "http_test_util.h"
#include "logging/logger.h"
#include "process.h"
#include "telemetry/tracing.h"

using namespace osapi;
using namespace osapi::http;
using namespace osapi::http::testing;

namespace {

struct SpanRecord {
  std::string name, trace_id, span_id, parent_span_id;
  int kind = 0;
  int status = 0;
  nlohmann::json attributes;  // key → value object
};

class TracingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_path_ = dir_.file("spans.jsonl");
    out_ = std::fopen(out_path_.c_str(), "w+");
    ASSERT_NE(out_, nullptr);
    telemetry::TracingOptions o;
    o.service_name = "osapi-api";
    o.tracing.enabled = true;
    o.tracing.exporter = "stdout";
    o.tracing.batch.schedule_delay = std::chrono::milliseconds(10);
    o.stdout_exporter_stream = out_;
    auto h = telemetry::init_tracing(o);
    ASSERT_TRUE(h.ok()) << h.error().message;
    handle_ = std::move(h.value());
    ASSERT_TRUE(telemetry::enabled());

    ts_.router.add("GET", "/job/{id}", [](Request& req) {
      set_active_span_attribute("job.id", req.path_params["id"]);
      return Response::json(200, nlohmann::ordered_json{{"ok", true}});
    });
    ts_.router.add("GET", "/fail", [](Request&) { return Response::app_error(500, "x"); });
    ts_.start();
  }
  void TearDown() override {
    ts_.server->stop();
    handle_.reset();
    if (out_) std::fclose(out_);
  }

  std::vector<SpanRecord> spans() {
    handle_->flush();
    std::fflush(out_);
    std::vector<SpanRecord> out;
    for (const auto& line : split(osapi::testing::read_file(out_path_), '\n')) {
      if (line.empty()) continue;
      auto doc = nlohmann::json::parse(line);
      for (const auto& rs : doc["resourceSpans"])
        for (const auto& ss : rs["scopeSpans"])
          for (const auto& s : ss["spans"]) {
            SpanRecord r;
            r.name = s.value("name", "");
            r.trace_id = s.value("traceId", "");
            r.span_id = s.value("spanId", "");
            r.parent_span_id = s.value("parentSpanId", "");
            r.kind = s.value("kind", 0);
            if (s.contains("status")) r.status = s["status"].value("code", 0);
            r.attributes = nlohmann::json::object();
            for (const auto& a : s.value("attributes", nlohmann::json::array()))
              r.attributes[a["key"].get<std::string>()] = a["value"];
            out.push_back(std::move(r));
          }
    }
    return out;
  }

  const SpanRecord* find(const std::vector<SpanRecord>& all, int kind) {
    for (const auto& s : all)
      if (s.kind == kind) return &s;
    return nullptr;
  }

  osapi::testing::TempDir dir_;
  std::string out_path_;
  FILE* out_ = nullptr;
  std::unique_ptr<telemetry::TracingHandle> handle_;
  TestServer ts_;
};

constexpr int kServer = 2;
constexpr int kClient = 3;

}  // namespace

TEST_F(TracingTest, ValidTraceparentBecomesParent) {
  auto r = raw_request(ts_.port(),
                       "GET /job/abc?x=1 HTTP/1.1\r\nHost: api.local:8080\r\nUser-Agent: t/1\r\n"
                       "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
                       "tracestate: k=v\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const auto all = spans();
  const SpanRecord* s = find(all, kServer);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "GET /job/{id}");
  EXPECT_EQ(s->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(s->parent_span_id, "00f067aa0ba902b7");
  EXPECT_EQ(s->status, 0);
  const auto& a = s->attributes;
  EXPECT_EQ(a["http.request.method"]["stringValue"], "GET");
  EXPECT_EQ(a["url.scheme"]["stringValue"], "http");
  EXPECT_EQ(a["url.path"]["stringValue"], "/job/abc");
  EXPECT_EQ(a["url.query"]["stringValue"], "x=1");
  EXPECT_EQ(a["http.route"]["stringValue"], "/job/{id}");
  EXPECT_EQ(a["server.address"]["stringValue"], "api.local");
  EXPECT_EQ(a["server.port"]["intValue"], "8080");
  EXPECT_EQ(a["client.address"]["stringValue"], "127.0.0.1");
  EXPECT_EQ(a["network.peer.address"]["stringValue"], "127.0.0.1");
  EXPECT_TRUE(a.contains("network.peer.port"));
  EXPECT_EQ(a["user_agent.original"]["stringValue"], "t/1");
  EXPECT_EQ(a["network.protocol.version"]["stringValue"], "1.1");
  EXPECT_EQ(a["http.response.status_code"]["intValue"], "200");
  EXPECT_EQ(a["job.id"]["stringValue"], "abc");
  EXPECT_FALSE(a.contains("error.type"));
}

TEST_F(TracingTest, MalformedTraceparentStartsNewTrace) {
  auto r = raw_request(ts_.port(), get("/nope",
                                       "traceparent: 00-4BF92F3577B34DA6A3CE929D0E0E4736-"
                                       "00f067aa0ba902b7-01\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  const auto all = spans();
  const SpanRecord* s = find(all, kServer);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "GET");  // no route matched
  EXPECT_EQ(s->trace_id.size(), 32u);
  EXPECT_NE(s->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(s->parent_span_id.empty());
  EXPECT_EQ(s->status, 0);  // 4xx is not an error on a server span
  EXPECT_FALSE(s->attributes.contains("http.route"));
}

TEST_F(TracingTest, ServerErrorMarksSpan) {
  auto r = raw_request(ts_.port(), get("/fail"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  const auto all = spans();
  const SpanRecord* s = find(all, kServer);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->status, 2);
  EXPECT_EQ(s->attributes["error.type"]["stringValue"], "500");
}

TEST_F(TracingTest, ClientSpanIsParentOfServerSpan) {
  auto r = request({.url = ts_.url("/job/42")});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto all = spans();
  const SpanRecord* c = find(all, kClient);
  const SpanRecord* s = find(all, kServer);
  ASSERT_NE(c, nullptr);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(c->name, "GET");
  EXPECT_EQ(s->trace_id, c->trace_id);
  EXPECT_EQ(s->parent_span_id, c->span_id);
  EXPECT_EQ(c->attributes["http.request.method"]["stringValue"], "GET");
  EXPECT_EQ(c->attributes["server.address"]["stringValue"], "127.0.0.1");
  EXPECT_EQ(c->attributes["server.port"]["intValue"], std::to_string(ts_.port()));
  EXPECT_EQ(c->attributes["url.full"]["stringValue"], ts_.url("/job/42"));
  EXPECT_EQ(c->attributes["http.response.status_code"]["intValue"], "200");
  EXPECT_EQ(c->status, 0);
}

TEST_F(TracingTest, ClientSpanChildOfActiveSpanAndErrors) {
  auto root = telemetry::tracer()->StartSpan("root");
  std::string root_trace;
  {
    opentelemetry::trace::Scope scope(root);
    char buf[32];
    root->GetContext().trace_id().ToLowerBase16(buf);
    root_trace.assign(buf, 32);
    auto r = request({.url = ts_.url("/fail")});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 500);
    auto t = request(
        {.url = "http://user:pw@127.0.0.1:1/x", .connect_timeout = std::chrono::seconds(2)});
    EXPECT_FALSE(t.ok());
  }
  root->End();
  const auto all = spans();
  int clients = 0;
  for (const auto& s : all) {
    if (s.kind != kClient) continue;
    ++clients;
    EXPECT_EQ(s.trace_id, root_trace);
    EXPECT_EQ(s.status, 2);
    EXPECT_TRUE(s.attributes.contains("error.type"));
    EXPECT_EQ(s.attributes["url.full"]["stringValue"].get<std::string>().find("pw"),
              std::string::npos);
  }
  EXPECT_EQ(clients, 2);
}

TEST_F(TracingTest, AccessLogCarriesServerSpanIds) {
  const std::string log_path = dir_.file("log.jsonl");
  FILE* log = std::fopen(log_path.c_str(), "w+");
  ASSERT_NE(log, nullptr);
  logging::init({.level = logging::Level::kInfo, .format = logging::Format::kJson, .out = log});
  auto r = raw_request(ts_.port(), get("/job/7", "X-Request-Id: rid-7\r\n"));
  ASSERT_TRUE(r);
  logging::init({});
  std::fclose(log);
  const auto all = spans();
  const SpanRecord* s = find(all, kServer);
  ASSERT_NE(s, nullptr);
  bool seen = false;
  for (const auto& line : split(osapi::testing::read_file(log_path), '\n')) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    if (j["msg"] != "Incoming request") continue;
    seen = true;
    EXPECT_EQ(j["level"], "INFO");
    EXPECT_EQ(j["request.method"], "GET");
    EXPECT_EQ(j["request.path"], "/job/7");
    EXPECT_EQ(j["request.route"], "/job/{id}");
    EXPECT_EQ(j["request.ip"], "127.0.0.1");
    EXPECT_EQ(j["response.status"], 200);
    EXPECT_TRUE(j.contains("response.latency"));
    EXPECT_EQ(j["id"], "rid-7");
    EXPECT_EQ(j["trace_id"], s->trace_id);
    EXPECT_EQ(j["span_id"], s->span_id);
  }
  EXPECT_TRUE(seen);
}
