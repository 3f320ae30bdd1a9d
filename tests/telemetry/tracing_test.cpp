#include "telemetry/tracing.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/sdk/common/global_log_handler.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/default_span.h>

#include "common/ids.h"
#include "logging/logger.h"
#include "telemetry/propagation.h"
#include "telemetry/stdout_exporter.h"
#include "test_util.h"

namespace osapi::telemetry {
namespace {

namespace trace = opentelemetry::trace;
using json = nlohmann::ordered_json;
using testing::hex;
using testing::is_lower_hex;
using testing::TempSink;

class TracingTest : public ::testing::Test {
 protected:
  TracingOptions options(const std::string& exporter) {
    TracingOptions o;
    o.service_name = "osapi-test";
    o.service_namespace = "ns1";
    o.tracing.enabled = true;
    o.tracing.exporter = exporter;
    o.tracing.batch.schedule_delay = std::chrono::hours(1);  // tests flush explicitly
    o.stdout_exporter_stream = sink_.file();
    o.shutdown_deadline = std::chrono::milliseconds(2000);
    return o;
  }
  void start(const TracingOptions& o) {
    auto h = init_tracing(o);
    ASSERT_TRUE(h) << h.error().message;
    handle_ = std::move(h.value());
  }
  void TearDown() override {
    handle_.reset();
    EXPECT_FALSE(enabled()) << "destroying the handle restores the no-op provider";
  }

  // All spans across every exported line, keyed by name; also checks each line's shape.
  std::map<std::string, json> exported_spans() {
    std::map<std::string, json> spans;
    for (const auto& line : sink_.lines()) {
      json j = json::parse(line);
      EXPECT_TRUE(j.contains("resourceSpans"));
      for (auto& rs : j["resourceSpans"]) {
        last_resource_ = rs["resource"];
        for (auto& ss : rs["scopeSpans"]) {
          last_scope_ = ss["scope"];
          for (auto& s : ss["spans"]) spans[s["name"].get<std::string>()] = s;
        }
      }
    }
    return spans;
  }

  static std::map<std::string, json> attrs(const json& list) {
    std::map<std::string, json> out;
    for (const auto& kv : list) out[kv["key"].get<std::string>()] = kv["value"];
    return out;
  }

  TempSink sink_;
  std::unique_ptr<TracingHandle> handle_;
  json last_resource_, last_scope_;
};

TEST_F(TracingTest, StdoutExporterWritesOtlpJsonLines) {
  start(options("stdout"));
  ASSERT_TRUE(enabled());
  auto t = tracer();
  trace::StartSpanOptions server_opts;
  server_opts.kind = trace::SpanKind::kServer;
  auto parent = t->StartSpan("GET /node/hostname",
                             {{"http.request.method", "GET"},
                              {"http.response.status_code", 200},
                              {"ratio", 1.5},
                              {"ok", true}},
                             server_opts);
  std::string parent_tid, parent_sid, child_sid;
  {
    auto scope = t->WithActiveSpan(parent);
    parent_tid = current_trace_id();
    parent_sid = current_span_id();
    trace::StartSpanOptions client_opts;
    client_opts.kind = trace::SpanKind::kClient;
    auto child = t->StartSpan("publish", client_opts);
    const std::vector<opentelemetry::nostd::string_view> tags{"a", "b"};
    child->SetAttribute("tags", opentelemetry::nostd::span<const opentelemetry::nostd::string_view>(
                                    tags.data(), tags.size()));
    const std::vector<int64_t> nums{1, 2};
    child->SetAttribute("nums", opentelemetry::nostd::span<const int64_t>(nums.data(), 2));
    record_error(*child, "TimeoutError", "no agent answered");
    child_sid = hex(child->GetContext().span_id());
    child->End();
  }
  parent->End();
  handle_->flush();

  auto spans = exported_spans();
  ASSERT_EQ(spans.size(), 2u) << sink_.contents();
  const json& p = spans["GET /node/hostname"];
  const json& c = spans["publish"];

  EXPECT_EQ(p["traceId"], parent_tid);
  EXPECT_EQ(p["spanId"], parent_sid);
  EXPECT_FALSE(p.contains("parentSpanId")) << "root span has no parentSpanId";
  EXPECT_EQ(c["traceId"], parent_tid);
  EXPECT_EQ(c["parentSpanId"], parent_sid);
  EXPECT_EQ(c["spanId"], child_sid);
  EXPECT_EQ(p["kind"], 2);
  EXPECT_EQ(c["kind"], 3);
  EXPECT_TRUE(p["startTimeUnixNano"].is_string());
  EXPECT_TRUE(p["endTimeUnixNano"].is_string());
  EXPECT_LE(std::stoull(p["startTimeUnixNano"].get<std::string>()),
            std::stoull(p["endTimeUnixNano"].get<std::string>()));

  auto pa = attrs(p["attributes"]);
  EXPECT_EQ(pa["http.request.method"], json::parse(R"({"stringValue":"GET"})"));
  EXPECT_EQ(pa["http.response.status_code"], json::parse(R"({"intValue":"200"})"));
  EXPECT_EQ(pa["ratio"], json::parse(R"({"doubleValue":1.5})"));
  EXPECT_EQ(pa["ok"], json::parse(R"({"boolValue":true})"));
  auto ca = attrs(c["attributes"]);
  EXPECT_EQ(ca["tags"],
            json::parse(R"({"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"b"}]}})"));
  EXPECT_EQ(ca["nums"],
            json::parse(R"({"arrayValue":{"values":[{"intValue":"1"},{"intValue":"2"}]}})"));

  EXPECT_EQ(p["status"], json::parse(R"({"code":0})"));
  EXPECT_EQ(c["status"], json::parse(R"({"code":2,"message":"no agent answered"})"));
  ASSERT_EQ(c["events"].size(), 1u);
  EXPECT_EQ(c["events"][0]["name"], "exception");
  auto ea = attrs(c["events"][0]["attributes"]);
  EXPECT_EQ(ea["exception.type"]["stringValue"], "TimeoutError");
  EXPECT_EQ(ea["exception.message"]["stringValue"], "no agent answered");

  auto ra = attrs(last_resource_["attributes"]);
  EXPECT_EQ(ra["service.name"]["stringValue"], "osapi-test");
  EXPECT_EQ(ra["service.namespace"]["stringValue"], "ns1");
  EXPECT_TRUE(ra.count("service.version"));
  EXPECT_TRUE(ra.count("host.name"));
  EXPECT_EQ(ra["process.pid"]["intValue"], std::to_string(::getpid()));
  EXPECT_TRUE(is_uuid(ra["service.instance.id"]["stringValue"].get<std::string>()));
  EXPECT_TRUE(ra.count("telemetry.sdk.language"));
  EXPECT_EQ(last_scope_["name"], "osapi-test");
  EXPECT_TRUE(last_scope_.contains("version"));
}

TEST_F(TracingTest, KindsAreOtlpIntegers) {
  start(options("stdout"));
  const std::pair<trace::SpanKind, int> kinds[] = {{trace::SpanKind::kInternal, 1},
                                                   {trace::SpanKind::kServer, 2},
                                                   {trace::SpanKind::kClient, 3},
                                                   {trace::SpanKind::kProducer, 4},
                                                   {trace::SpanKind::kConsumer, 5}};
  for (const auto& [kind, _] : kinds) {
    trace::StartSpanOptions o;
    o.kind = kind;
    tracer()->StartSpan("k" + std::to_string(static_cast<int>(kind)), o)->End();
  }
  handle_->flush();
  auto spans = exported_spans();
  for (const auto& [kind, expected] : kinds)
    EXPECT_EQ(spans["k" + std::to_string(static_cast<int>(kind))]["kind"], expected);
}

TEST_F(TracingTest, ExporterNoneStillGivesValidIds) {
  start(options(""));
  auto span = tracer()->StartSpan("x");
  EXPECT_TRUE(span->GetContext().IsValid());
  EXPECT_TRUE(span->GetContext().IsSampled());
  auto scope = tracer()->WithActiveSpan(span);
  EXPECT_TRUE(is_lower_hex(current_trace_id(), 32));
  EXPECT_TRUE(is_lower_hex(current_span_id(), 16));
  span->End();
  handle_->flush();
  EXPECT_EQ(sink_.contents(), "");
}

TEST_F(TracingTest, AlwaysOffRootIsNotRecordedButHasIdsAndCorrelates) {
  auto o = options("stdout");
  o.tracing.sampler = "always_off";
  start(o);
  auto span = tracer()->StartSpan("dropped");
  EXPECT_FALSE(span->IsRecording());
  EXPECT_FALSE(span->GetContext().IsSampled());
  ASSERT_TRUE(span->GetContext().IsValid());
  {
    auto scope = tracer()->WithActiveSpan(span);
    const std::string line = logging::format_line(logging::Level::kInfo, "hello", {});
    EXPECT_NE(line.find("trace_id=" + hex(span->GetContext().trace_id())), std::string::npos);
    Headers out;
    inject_current(out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].second.ends_with("-00")) << "unsampled flag propagates";
  }
  span->End();
  handle_->flush();
  EXPECT_EQ(sink_.contents(), "");
}

TEST_F(TracingTest, ParentBasedFollowsRemoteSampledFlag) {
  auto o = options("stdout");
  o.tracing.sampler = "always_off";
  start(o);
  const std::string tid = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto sampled_ctx = context_from_strings("00-" + tid + "-00f067aa0ba902b7-01", "");
  trace::StartSpanOptions so;
  so.parent = sampled_ctx;
  auto span = tracer()->StartSpan("job.process", so);
  EXPECT_TRUE(span->IsRecording());
  EXPECT_EQ(hex(span->GetContext().trace_id()), tid);
  span->End();
  handle_->flush();
  auto spans = exported_spans();
  ASSERT_EQ(spans.count("job.process"), 1u);
  EXPECT_EQ(spans["job.process"]["parentSpanId"], "00f067aa0ba902b7");
}

TEST_F(TracingTest, ParentBasedRemoteUnsampledParentWinsOverAlwaysOn) {
  start(options("stdout"));
  auto ctx = context_from_strings("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "");
  trace::StartSpanOptions so;
  so.parent = ctx;
  auto span = tracer()->StartSpan("child", so);
  EXPECT_FALSE(span->IsRecording());
  EXPECT_TRUE(span->GetContext().IsValid());
  span->End();
}

TEST_F(TracingTest, TraceIdRatioZeroDropsRoots) {
  auto o = options("stdout");
  o.tracing.sampler = "traceidratio";
  o.tracing.sampler_ratio = 0.0;
  start(o);
  auto span = tracer()->StartSpan("r");
  EXPECT_FALSE(span->IsRecording());
  span->End();
}

TEST_F(TracingTest, DisabledInstallsNoProvider) {
  auto o = options("stdout");
  o.tracing.enabled = false;
  start(o);
  EXPECT_FALSE(enabled());
  auto span = tracer()->StartSpan("noop");
  EXPECT_FALSE(span->GetContext().IsValid());
  auto scope = tracer()->WithActiveSpan(span);
  EXPECT_EQ(current_trace_id(), "");
  span->End();
}

TEST_F(TracingTest, HandleDestroyRestoresNoop) {
  start(options("stdout"));
  EXPECT_TRUE(tracer()->StartSpan("a")->GetContext().IsValid());
  handle_.reset();
  EXPECT_FALSE(enabled());
  EXPECT_FALSE(tracer()->StartSpan("b")->GetContext().IsValid());
  // A second init in the same process works.
  start(options("stdout"));
  EXPECT_TRUE(tracer()->StartSpan("c")->GetContext().IsValid());
}

TEST(TracingConfigErrors, UnsupportedExporter) {
  TracingOptions o;
  o.service_name = "osapi-test";
  o.tracing.enabled = true;
  o.tracing.exporter = "jaeger";
  auto h = init_tracing(o);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "unsupported tracing exporter: \"jaeger\"");
  EXPECT_FALSE(enabled());
}

TEST(TracingConfigErrors, OtlpNeedsEndpoint) {
  TracingOptions o;
  o.tracing.enabled = true;
  o.tracing.exporter = "otlp";
  auto h = init_tracing(o);
  ASSERT_FALSE(h);
  EXPECT_THAT(h.error().message, ::testing::HasSubstr("otlp_endpoint"));
}

TEST(TracingConfigErrors, OtherInvalidSettings) {
  TracingOptions o;
  o.tracing.enabled = true;
  o.tracing.exporter = "otlp";
  o.tracing.otlp_endpoint = "127.0.0.1:4317";
  o.tracing.otlp_protocol = "thrift";
  EXPECT_FALSE(init_tracing(o));
  o.tracing.otlp_protocol = "grpc";
  o.tracing.otlp_ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(init_tracing(o));
  o.tracing.otlp_ca_file.clear();
  o.tracing.exporter = "none";
  o.tracing.sampler = "sometimes";
  EXPECT_FALSE(init_tracing(o));
  o.tracing.sampler = "traceidratio";
  o.tracing.sampler_ratio = 1.5;
  EXPECT_FALSE(init_tracing(o));
  EXPECT_FALSE(enabled());
}

TEST(TracingOtlp, BuildsGrpcAndHttpExporters) {
  for (const char* protocol : {"grpc", "http/protobuf"}) {
    TracingOptions o;
    o.service_name = "osapi-test";
    o.tracing.enabled = true;
    o.tracing.exporter = "otlp";
    o.tracing.otlp_protocol = protocol;
    o.tracing.otlp_endpoint = "127.0.0.1:1";  // refused: nothing listens on port 1
    o.tracing.otlp_headers = {{"Authorization", "Bearer x"}};
    o.shutdown_deadline = std::chrono::milliseconds(500);
    auto h = init_tracing(o);
    ASSERT_TRUE(h) << protocol << ": " << h.error().message;
    EXPECT_TRUE(enabled());
    tracer()->StartSpan("s")->End();
  }
  EXPECT_FALSE(enabled());
}

// A TCP listener that never accepts: connections complete in the kernel backlog and then hang,
// like a collector behind a black hole.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      port_ = 0;
    else
      port_ = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(TracingOtlp, ShutdownIsBoundedAndDropsAreCounted) {
  for (const char* protocol : {"grpc", "http/protobuf"}) {
    SilentListener collector;
    ASSERT_NE(collector.port(), 0);
    TracingOptions o;
    o.service_name = "osapi-test";
    o.tracing.enabled = true;
    o.tracing.exporter = "otlp";
    o.tracing.otlp_protocol = protocol;
    o.tracing.otlp_endpoint = "127.0.0.1:" + std::to_string(collector.port());
    o.tracing.batch.max_queue_size = 2;
    o.tracing.batch.max_export_batch_size = 1;
    o.tracing.batch.schedule_delay = std::chrono::milliseconds(1);
    o.tracing.batch.export_timeout = std::chrono::seconds(60);
    o.shutdown_deadline = std::chrono::milliseconds(300);
    auto h = init_tracing(o);
    ASSERT_TRUE(h) << h.error().message;
    const uint64_t before = spans_dropped();
    // The exporter hangs on the first batch, so the two-slot queue overflows.
    for (int i = 0; i < 50; ++i) tracer()->StartSpan("s")->End();
    EXPECT_GE(spans_dropped() - before, 40u) << protocol;
    const auto start = std::chrono::steady_clock::now();
    h.value().reset();
    const auto took = std::chrono::steady_clock::now() - start;
    // Bounded by the deadline, not by the 60 s export timeout (generous margin for slow CI).
    EXPECT_LT(took, std::chrono::seconds(20)) << protocol;
  }
}

TEST(TracingLogHandler, DropWarningIsRateLimited) {
  TempSink log;
  logging::init(
      {.level = logging::Level::kInfo, .format = logging::Format::kText, .out = log.file()});
  TracingOptions o;
  o.service_name = "osapi-test";
  o.tracing.enabled = true;
  auto h = init_tracing(o);
  ASSERT_TRUE(h);
  auto handler = opentelemetry::sdk::common::internal_log::GlobalLogHandler::GetLogHandler();
  const uint64_t before = spans_dropped();
  for (int i = 0; i < 100; ++i) {
    handler->Handle(opentelemetry::sdk::common::internal_log::LogLevel::Warning, __FILE__, __LINE__,
                    "BatchSpanProcessor queue is full - dropping span.", {});
  }
  EXPECT_EQ(spans_dropped() - before, 100u);
  int warnings = 0;
  for (const auto& line : log.lines())
    if (line.find("spans dropped") != std::string::npos) ++warnings;
  EXPECT_LE(warnings, 1) << log.contents();
  // Other SDK messages go through our logger too.
  handler->Handle(opentelemetry::sdk::common::internal_log::LogLevel::Error, __FILE__, __LINE__,
                  "[OTLP] export failed", {});
  handler->Handle(opentelemetry::sdk::common::internal_log::LogLevel::Error, __FILE__, __LINE__,
                  "[OTLP] export failed", {});
  h.value().reset();  // reports what is still unreported
  const std::string all = log.contents();
  EXPECT_NE(all.find("ERR opentelemetry sdk message=\"[OTLP] export failed\""), std::string::npos)
      << all;
  EXPECT_EQ(all.find("export failed"), all.rfind("export failed")) << "repeat suppressed";
  int total_reported = 0;
  for (const auto& line : log.lines()) {
    const auto pos = line.find("dropped=");
    if (line.find("spans dropped") != std::string::npos && pos != std::string::npos)
      total_reported += std::stoi(line.substr(pos + 8));
  }
  EXPECT_EQ(total_reported, 100) << all;
  logging::init({});
}

TEST(StdoutJsonExporter, WriteFailureReturnsFailure) {
  FILE* ro = std::fopen("/dev/null", "r");  // writes fail on a read-only stream
  ASSERT_NE(ro, nullptr);
  StdoutJsonExporter exporter(ro);
  std::vector<std::unique_ptr<opentelemetry::sdk::trace::Recordable>> recs;
  auto r = exporter.MakeRecordable();
  r->SetName("x");
  recs.push_back(std::move(r));
  EXPECT_EQ(exporter.Export(
                opentelemetry::nostd::span<std::unique_ptr<opentelemetry::sdk::trace::Recordable>>(
                    recs.data(), recs.size())),
            opentelemetry::sdk::common::ExportResult::kFailure);
  std::fclose(ro);
}

}  // namespace
}  // namespace osapi::telemetry
