#include "telemetry/propagation.h"

#include <gtest/gtest.h>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>

#include "telemetry/tracing.h"

namespace osapi::telemetry {
namespace {

namespace trace = opentelemetry::trace;

constexpr const char* kTid = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kSid = "00f067aa0ba902b7";
const std::string kValid = std::string("00-") + kTid + "-" + kSid + "-01";

std::string hex(const trace::TraceId& id) {
  char b[32];
  id.ToLowerBase16(opentelemetry::nostd::span<char, 32>(b, 32));
  return std::string(b, 32);
}
std::string hex(const trace::SpanId& id) {
  char b[16];
  id.ToLowerBase16(opentelemetry::nostd::span<char, 16>(b, 16));
  return std::string(b, 16);
}

struct ParseCase {
  const char* name;
  std::string traceparent;
  bool valid;
  bool sampled = false;
};

class TraceparentTable : public ::testing::TestWithParam<ParseCase> {};

TEST_P(TraceparentTable, Parses) {
  const ParseCase& c = GetParam();
  auto sc = parse_traceparent(c.traceparent);
  ASSERT_EQ(sc.has_value(), c.valid) << c.traceparent;
  if (!c.valid) return;
  EXPECT_TRUE(sc->IsValid());
  EXPECT_TRUE(sc->IsRemote());
  EXPECT_EQ(sc->IsSampled(), c.sampled);
  EXPECT_EQ(hex(sc->trace_id()), kTid);
  EXPECT_EQ(hex(sc->span_id()), kSid);
}

const std::string T = kTid;
const std::string S = kSid;

INSTANTIATE_TEST_SUITE_P(
    W3C, TraceparentTable,
    ::testing::Values(
        ParseCase{"sampled", "00-" + T + "-" + S + "-01", true, true},
        ParseCase{"unsampled", "00-" + T + "-" + S + "-00", true, false},
        ParseCase{"unknown_flag_bits_sampled", "00-" + T + "-" + S + "-03", true, true},
        ParseCase{"unknown_flag_bits_unsampled", "00-" + T + "-" + S + "-fe", true, false},
        ParseCase{"version_ff", "ff-" + T + "-" + S + "-01", false},
        ParseCase{"future_version", "01-" + T + "-" + S + "-01", true, true},
        ParseCase{"future_version_extra", "cc-" + T + "-" + S + "-01-what-ever", true, true},
        ParseCase{"future_version_extra_no_dash", "cc-" + T + "-" + S + "-01x", false},
        ParseCase{"v00_extra_field", "00-" + T + "-" + S + "-01-extra", false},
        ParseCase{"v00_trailing_dash", "00-" + T + "-" + S + "-01-", false},
        ParseCase{"uppercase_trace_id", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + S + "-01", false},
        ParseCase{"uppercase_span_id", "00-" + T + "-00F067AA0BA902B7-01", false},
        ParseCase{"uppercase_version", "0A-" + T + "-" + S + "-01", false},
        ParseCase{"uppercase_flags", "00-" + T + "-" + S + "-0A", false},
        ParseCase{"zero_trace_id", "00-00000000000000000000000000000000-" + S + "-01", false},
        ParseCase{"zero_span_id", "00-" + T + "-0000000000000000-01", false},
        ParseCase{"short_trace_id", "00-" + T.substr(1) + "-" + S + "-01", false},
        ParseCase{"long_trace_id", "00-" + T + "0-" + S + "-01", false},
        ParseCase{"short_span_id", "00-" + T + "-" + S.substr(1) + "-01", false},
        ParseCase{"one_flag_digit", "00-" + T + "-" + S + "-1", false},
        ParseCase{"three_flag_digits", "00-" + T + "-" + S + "-001", false},
        ParseCase{"bad_flags", "00-" + T + "-" + S + "-0g", false},
        ParseCase{"non_hex_trace_id", "00-" + T.substr(0, 31) + "x-" + S + "-01", false},
        ParseCase{"wrong_separator", "00_" + T + "-" + S + "-01", false},
        ParseCase{"empty", "", false}, ParseCase{"garbage", "hello", false},
        ParseCase{"leading_space", " 00-" + T + "-" + S + "-01", false},
        ParseCase{"trailing_space", "00-" + T + "-" + S + "-01 ", false},
        ParseCase{"one_digit_version", "0-" + T + "-" + S + "-01x", false},
        ParseCase{"three_fields", "00-" + T + "-" + S, false}),
    [](const ::testing::TestParamInfo<ParseCase>& info) { return info.param.name; });

TEST(Traceparent, FormatRoundTrip) {
  for (const char* flags : {"01", "00"}) {
    const std::string tp = std::string("00-") + kTid + "-" + kSid + "-" + flags;
    auto sc = parse_traceparent(tp);
    ASSERT_TRUE(sc);
    EXPECT_EQ(format_traceparent(*sc), tp);
  }
  // Future versions are re-emitted as version 00; unknown flag bits are not propagated.
  auto sc = parse_traceparent(std::string("cc-") + kTid + "-" + kSid + "-03-x");
  ASSERT_TRUE(sc);
  EXPECT_EQ(format_traceparent(*sc), kValid);
  EXPECT_EQ(format_traceparent(trace::SpanContext::GetInvalid()), "");
  EXPECT_EQ(format_tracestate(trace::SpanContext::GetInvalid()), "");
}

struct StateCase {
  const char* name;
  std::string tracestate;
  std::string expected;  // "" = dropped / empty
};

class TracestateTable : public ::testing::TestWithParam<StateCase> {};

TEST_P(TracestateTable, KeepsOrDrops) {
  const StateCase& c = GetParam();
  auto sc = parse_traceparent(kValid, c.tracestate);
  ASSERT_TRUE(sc) << "an invalid tracestate never invalidates traceparent";
  EXPECT_EQ(format_tracestate(*sc), c.expected);
}

std::string members(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    W3C, TracestateTable,
    ::testing::Values(StateCase{"simple", "congo=t61rcWkgMzE", "congo=t61rcWkgMzE"},
                      StateCase{"two", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
                                "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"},
                      StateCase{"ows_and_empty_members", "rojo=1 ,\t, congo=2", "rojo=1,congo=2"},
                      StateCase{"multi_tenant", "fw529a3039@dt=123", "fw529a3039@dt=123"},
                      StateCase{"thirty_two", members(32), members(32)},
                      StateCase{"thirty_three_dropped", members(33), ""},
                      StateCase{"too_long_dropped", "a=" + std::string(511, 'x'), ""},
                      StateCase{"uppercase_key_dropped", "Rojo=1", ""},
                      StateCase{"no_equals_dropped", "rojo", ""},
                      StateCase{"bad_value_char_dropped", "rojo=a=b", ""},
                      StateCase{"duplicate_key_dropped", "rojo=1,rojo=2", ""},
                      StateCase{"empty_value_dropped", "rojo=", ""},
                      StateCase{"key_starts_with_digit_dropped", "1rojo=1", ""},
                      StateCase{"control_char_dropped", std::string("rojo=a\x01"), ""}),
    [](const ::testing::TestParamInfo<StateCase>& info) { return info.param.name; });

// ---- inject / extract over Headers ------------------------------------------------------

class PropagationTest : public ::testing::Test {
 protected:
  void init(bool enabled) {
    TracingOptions o;
    o.service_name = "osapi-test";
    o.tracing.enabled = enabled;
    auto h = init_tracing(o);
    ASSERT_TRUE(h) << h.error().message;
    handle_ = std::move(h.value());
  }
  void TearDown() override { handle_.reset(); }
  std::unique_ptr<TracingHandle> handle_;
};

TEST_F(PropagationTest, ExtractInjectRoundTrip) {
  init(true);
  Headers in{{"Content-Type", "application/json"},
             {"Traceparent", kValid},
             {"TraceState", "rojo=1,congo=2"}};
  auto ctx = extract(in);
  auto sc = trace::GetSpan(ctx)->GetContext();
  ASSERT_TRUE(sc.IsValid());
  EXPECT_TRUE(sc.IsRemote());
  EXPECT_EQ(hex(sc.trace_id()), kTid);

  Headers out;
  inject(ctx, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first, "traceparent");
  EXPECT_EQ(out[0].second, kValid);
  EXPECT_EQ(out[1].first, "tracestate");
  EXPECT_EQ(out[1].second, "rojo=1,congo=2");
}

TEST_F(PropagationTest, ChildSpanInjectsItsOwnSpanId) {
  init(true);
  auto ctx = extract(Headers{{"traceparent", kValid}});
  trace::StartSpanOptions so;
  so.parent = trace::GetSpan(ctx)->GetContext();
  auto span = tracer()->StartSpan("child", so);
  auto scope = tracer()->WithActiveSpan(span);
  Headers out;
  inject_current(out);
  ASSERT_EQ(out.size(), 1u) << "no tracestate header when empty";
  auto sc = parse_traceparent(out[0].second);
  ASSERT_TRUE(sc);
  EXPECT_EQ(hex(sc->trace_id()), kTid);
  EXPECT_NE(hex(sc->span_id()), kSid);
  EXPECT_TRUE(sc->IsSampled());
  span->End();
}

TEST_F(PropagationTest, InvalidTraceparentReturnsBaseAndDropsTracestate) {
  init(true);
  auto base = opentelemetry::context::RuntimeContext::GetCurrent();
  auto ctx = extract(Headers{{"traceparent", "00-garbage"}, {"tracestate", "rojo=1"}}, base);
  EXPECT_FALSE(trace::GetSpan(ctx)->GetContext().IsValid());
  Headers out;
  inject(ctx, out);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(trace::GetSpan(extract(Headers{})).get()->GetContext().IsValid());
}

TEST_F(PropagationTest, MultipleTracestateHeadersAreJoined) {
  init(true);
  auto ctx =
      extract(Headers{{"traceparent", kValid}, {"tracestate", "a=1"}, {"tracestate", "b=2"}});
  EXPECT_EQ(format_tracestate(trace::GetSpan(ctx)->GetContext()), "a=1,b=2");
}

TEST_F(PropagationTest, ContextFromStrings) {
  init(true);
  auto ctx = context_from_strings(kValid, "rojo=1");
  auto sc = trace::GetSpan(ctx)->GetContext();
  ASSERT_TRUE(sc.IsValid());
  EXPECT_EQ(format_traceparent(sc), kValid);
  EXPECT_EQ(format_tracestate(sc), "rojo=1");
  EXPECT_FALSE(trace::GetSpan(context_from_strings("", "")).get()->GetContext().IsValid());
}

TEST_F(PropagationTest, ExtractSpanContextValid) {
  init(true);
  auto sc = extract_span_context(Headers{{"Content-Type", "application/json"},
                                         {"TRACEPARENT", kValid},
                                         {"TraceState", "rojo=1,congo=2"}});
  ASSERT_TRUE(sc);
  EXPECT_TRUE(sc->IsValid());
  EXPECT_TRUE(sc->IsRemote());
  EXPECT_TRUE(sc->IsSampled());
  EXPECT_EQ(hex(sc->trace_id()), kTid);
  EXPECT_EQ(hex(sc->span_id()), kSid);
  EXPECT_EQ(format_tracestate(*sc), "rojo=1,congo=2");

  auto unsampled = extract_span_context(
      Headers{{"traceparent", std::string("00-") + kTid + "-" + kSid + "-00"}});
  ASSERT_TRUE(unsampled);
  EXPECT_FALSE(unsampled->IsSampled());
  EXPECT_EQ(format_tracestate(*unsampled), "");
}

TEST_F(PropagationTest, ExtractSpanContextInvalidOrAbsent) {
  init(true);
  EXPECT_FALSE(extract_span_context(
      Headers{{"traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"}}));
  EXPECT_FALSE(extract_span_context(Headers{{"traceparent", "00-garbage"}, {"tracestate", "a=1"}}));
  EXPECT_FALSE(extract_span_context(Headers{}));
  EXPECT_FALSE(extract_span_context(Headers{{"tracestate", "rojo=1"}, {"Host", "x"}}));
}

TEST_F(PropagationTest, ExtractSpanContextJoinsTracestateHeaders) {
  init(true);
  auto sc = extract_span_context(
      Headers{{"tracestate", "a=1"}, {"traceparent", kValid}, {"Tracestate", "b=2"}});
  ASSERT_TRUE(sc);
  EXPECT_EQ(format_tracestate(*sc), "a=1,b=2");
}

TEST_F(PropagationTest, ExtractSpanContextMatchesExtract) {
  init(true);
  const Headers h{{"traceparent", kValid}, {"tracestate", "rojo=1"}};
  auto sc = extract_span_context(h);
  ASSERT_TRUE(sc);
  auto via_ctx = trace::GetSpan(extract(h))->GetContext();
  EXPECT_EQ(*sc, via_ctx);
  EXPECT_EQ(format_tracestate(*sc), format_tracestate(via_ctx));
}

TEST_F(PropagationTest, ExtractSpanContextDisabled) {
  init(false);
  EXPECT_FALSE(enabled());
  EXPECT_FALSE(extract_span_context(Headers{{"traceparent", kValid}, {"tracestate", "a=1"}}));
}

TEST_F(PropagationTest, DisabledIsNoOp) {
  init(false);
  EXPECT_FALSE(enabled());
  auto base = opentelemetry::context::RuntimeContext::GetCurrent();
  auto ctx = extract(Headers{{"traceparent", kValid}}, base);
  EXPECT_FALSE(trace::GetSpan(ctx)->GetContext().IsValid());
  EXPECT_FALSE(trace::GetSpan(context_from_strings(kValid, "")).get()->GetContext().IsValid());

  // Even a context carrying a valid span is not injected while disabled.
  auto sc = parse_traceparent(kValid);
  ASSERT_TRUE(sc);
  opentelemetry::nostd::shared_ptr<trace::Span> remote(new trace::DefaultSpan(*sc));
  auto with_span = trace::SetSpan(base, remote);
  Headers out;
  inject(with_span, out);
  EXPECT_TRUE(out.empty());
  auto tok = opentelemetry::context::RuntimeContext::Attach(with_span);
  inject_current(out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(current_trace_id(), "");
}

}  // namespace
}  // namespace osapi::telemetry
