// Log correlation: trace_id/span_id are the last two fields whenever the
// current context holds a valid span, and never when tracing is disabled.
#include <gtest/gtest.h>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/default_span.h>

#include "logging/logger.h"
#include "telemetry/propagation.h"
#include "telemetry/tracing.h"
#include "test_util.h"

namespace osapi::telemetry {
namespace {

namespace trace = opentelemetry::trace;
using json = nlohmann::ordered_json;
using testing::hex;

class LogCorrelationTest : public ::testing::Test {
 protected:
  void start(bool enabled) {
    TracingOptions o;
    o.service_name = "osapi-test";
    o.tracing.enabled = enabled;
    auto h = init_tracing(o);
    ASSERT_TRUE(h) << h.error().message;
    handle_ = std::move(h.value());
  }
  void TearDown() override {
    handle_.reset();
    logging::init({});
  }
  std::unique_ptr<TracingHandle> handle_;
};

TEST_F(LogCorrelationTest, TextLineEndsWithIdsInsideSpan) {
  start(true);
  logging::init({.format = logging::Format::kText});
  auto span = tracer()->StartSpan("op");
  auto scope = tracer()->WithActiveSpan(span);
  const std::string line =
      logging::format_line(logging::Level::kInfo, "processing job", {{"job_id", "j1"}});
  const std::string suffix = " job_id=j1 trace_id=" + hex(span->GetContext().trace_id()) +
                             " span_id=" + hex(span->GetContext().span_id()) + "\n";
  ASSERT_GE(line.size(), suffix.size());
  EXPECT_EQ(line.substr(line.size() - suffix.size()), suffix) << line;
  span->End();
}

TEST_F(LogCorrelationTest, JsonLastTwoKeysAreIds) {
  start(true);
  logging::init({.format = logging::Format::kJson});
  auto span = tracer()->StartSpan("op");
  auto scope = tracer()->WithActiveSpan(span);
  const json j = json::parse(
      logging::format_line(logging::Level::kInfo, "publishing job request", {{"subject", "s"}}));
  ASSERT_GE(j.size(), 5u);
  auto it = j.end();
  --it;
  EXPECT_EQ(it.key(), "span_id");
  EXPECT_EQ(it.value(), hex(span->GetContext().span_id()));
  --it;
  EXPECT_EQ(it.key(), "trace_id");
  EXPECT_EQ(it.value(), hex(span->GetContext().trace_id()));
  --it;
  EXPECT_EQ(it.key(), "subject");
  span->End();
}

TEST_F(LogCorrelationTest, ChildSpanIdFollowsActiveScope) {
  start(true);
  logging::init({.format = logging::Format::kText});
  auto parent = tracer()->StartSpan("parent");
  auto s1 = tracer()->WithActiveSpan(parent);
  auto child = tracer()->StartSpan("child");
  {
    auto s2 = tracer()->WithActiveSpan(child);
    EXPECT_NE(logging::format_line(logging::Level::kInfo, "m", {})
                  .find("span_id=" + hex(child->GetContext().span_id())),
              std::string::npos);
  }
  EXPECT_NE(logging::format_line(logging::Level::kInfo, "m", {})
                .find("span_id=" + hex(parent->GetContext().span_id())),
            std::string::npos);
  child->End();
  parent->End();
}

TEST_F(LogCorrelationTest, NoIdsOutsideSpan) {
  start(true);
  logging::init({.format = logging::Format::kText});
  EXPECT_EQ(logging::format_line(logging::Level::kInfo, "m", {}).find("trace_id"),
            std::string::npos);
  logging::init({.format = logging::Format::kJson});
  EXPECT_EQ(logging::format_line(logging::Level::kInfo, "m", {}).find("trace_id"),
            std::string::npos);
}

TEST_F(LogCorrelationTest, RemoteParentContextCorrelates) {
  start(true);
  logging::init({.format = logging::Format::kText});
  auto ctx = context_from_strings("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "");
  auto token = opentelemetry::context::RuntimeContext::Attach(ctx);
  const std::string line = logging::format_line(logging::Level::kInfo, "m", {});
  EXPECT_NE(line.find("trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7"),
            std::string::npos)
      << line;
}

TEST_F(LogCorrelationTest, DisabledNeverAddsIds) {
  start(false);
  logging::init({.format = logging::Format::kText});
  // Even a valid remote context made by hand (as Go's noop tracer would leak) adds nothing.
  auto sc = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(sc);
  auto base = opentelemetry::context::RuntimeContext::GetCurrent();
  opentelemetry::nostd::shared_ptr<trace::Span> remote(new trace::DefaultSpan(*sc));
  auto token = opentelemetry::context::RuntimeContext::Attach(trace::SetSpan(base, remote));
  EXPECT_EQ(logging::format_line(logging::Level::kInfo, "m", {}).find("trace_id"),
            std::string::npos);
}

TEST_F(LogCorrelationTest, NoIdsAfterHandleDestroyed) {
  start(true);
  logging::init({.format = logging::Format::kText});
  auto span = tracer()->StartSpan("op");
  auto scope = tracer()->WithActiveSpan(span);
  handle_.reset();
  EXPECT_EQ(logging::format_line(logging::Level::kInfo, "m", {}).find("trace_id"),
            std::string::npos);
  span->End();
}

}  // namespace
}  // namespace osapi::telemetry
