// W3C Trace Context conformance of the REAL API server: 30 traceparent /
// tracestate pairs sent over HTTP, judged by the server span the independent receiver gets,
// and tracestate followed through NATS to the agent's job.process span.
#include <gtest/gtest.h>

#include <thread>

#include "chain.h"
#include "receiver.h"
#include "stack.h"

using namespace osapi::testing;

namespace {

enum class Expect { kContinueSampled, kContinueUnsampled, kNewTrace };

struct W3CCase {
  std::string name;
  std::string traceparent;  // "" = header not sent
  std::string tracestate;   // "" = header not sent
  Expect expect;
  std::string want_state;  // tracestate on the server and job.process spans
  std::string trace_id;    // the trace id inside traceparent (for continued cases)
};

const std::string kSpan = "00f067aa0ba902b7";

// A distinct trace id per case so every request is identifiable at the receiver.
std::string tid(int i) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02x", i);
  return std::string("4bf92f3577b34da6a3ce929d0e0e47") + buf;
}

std::string members(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  return s;
}

std::vector<W3CCase> cases() {
  std::vector<W3CCase> c;
  int i = 0;
  auto cont = [&](std::string name, std::string flags, std::string state, std::string want,
                  std::string version = "00", std::string suffix = "") {
    const std::string t = tid(++i);
    c.push_back({std::move(name), version + "-" + t + "-" + kSpan + "-" + flags + suffix,
                 std::move(state),
                 (std::stoi(flags, nullptr, 16) & 1) ? Expect::kContinueSampled
                                                     : Expect::kContinueUnsampled,
                 std::move(want), t});
  };
  auto fresh = [&](std::string name, std::string traceparent, std::string state = "") {
    ++i;
    c.push_back(
        {std::move(name), std::move(traceparent), std::move(state), Expect::kNewTrace, "", ""});
  };
  cont("sampled", "01", "", "");
  cont("state_one_member", "01", "congo=t61rcWkgMzE", "congo=t61rcWkgMzE");
  cont("state_two_members", "01", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
       "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  cont("state_ows_and_empty_members", "01", "rojo=1 , ,congo=2", "rojo=1,congo=2");
  cont("state_multi_tenant_key", "01", "fw529a3039@dt=123", "fw529a3039@dt=123");
  cont("state_32_members_kept", "01", members(32), members(32));
  cont("state_33_members_dropped", "01", members(33), "");
  cont("state_over_512_chars_dropped", "01", "a=" + std::string(511, 'x'), "");
  cont("state_uppercase_key_dropped", "01", "Rojo=1", "");
  cont("state_no_equals_dropped", "01", "rojo", "");
  cont("state_duplicate_key_dropped", "01", "rojo=1,rojo=2", "");
  cont("state_empty_value_dropped", "01", "rojo=", "");
  cont("unknown_flag_bits_sampled", "03", "", "");
  cont("future_version", "01", "", "", "01");
  cont("future_version_extra_fields", "01", "", "", "cc", "-what-ever");
  cont("unsampled", "00", "", "");
  cont("unknown_flag_bits_unsampled", "fe", "", "");
  const std::string t = "4bf92f3577b34da6a3ce929d0e0e4736";
  fresh("version_ff", "ff-" + t + "-" + kSpan + "-01");
  fresh("uppercase_trace_id", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + kSpan + "-01");
  fresh("uppercase_span_id", "00-" + t + "-00F067AA0BA902B7-01");
  fresh("zero_trace_id", "00-00000000000000000000000000000000-" + kSpan + "-01");
  fresh("zero_span_id", "00-" + t + "-0000000000000000-01");
  fresh("short_trace_id", "00-" + t.substr(1) + "-" + kSpan + "-01");
  fresh("long_trace_id", "00-" + t + "0-" + kSpan + "-01");
  fresh("short_span_id", "00-" + t + "-" + kSpan.substr(1) + "-01");
  fresh("bad_flags", "00-" + t + "-" + kSpan + "-0g");
  fresh("one_flag_digit", "00-" + t + "-" + kSpan + "-1");
  fresh("v00_extra_field", "00-" + t + "-" + kSpan + "-01-extra");
  fresh("wrong_separator", "00_" + t + "-" + kSpan + "-01");
  fresh("garbage", "hello");
  fresh("invalid_parent_drops_state", "00-" + t + "-" + kSpan + "-0g", "rojo=1");
  fresh("state_without_parent_ignored", "", "rojo=1");
  return c;
}

std::string agent_of(const std::string& name) {
  return "w3c-" + name;
}

const ReceivedSpan* server_span_for(const std::vector<ReceivedSpan>& spans,
                                    const std::string& name) {
  for (const auto& s : spans)
    if (s.kind == 2 && s.attributes.count("user_agent.original") &&
        s.attributes.at("user_agent.original") == agent_of(name))
      return &s;
  return nullptr;
}

}  // namespace

TEST(InteropW3C, TraceContextTableAgainstTheRealApiServer) {
  const auto table = cases();
  ASSERT_GE(table.size(), 25u);
  OtlpReceiver receiver;
  StackOptions o;
  o.exporter = "otlp";
  o.extra_yaml = otlp_yaml("127.0.0.1:" + std::to_string(receiver.grpc_port()));
  Stack stack(o);
  stack.start_all();
  const std::string token = stack.token();

  for (const auto& c : table) {
    std::vector<std::string> args{"-o", "/dev/null",      "-w", "%{http_code}",
                                  "-A", agent_of(c.name), "-H", "Authorization: Bearer " + token};
    if (!c.traceparent.empty()) args.insert(args.end(), {"-H", "traceparent: " + c.traceparent});
    if (!c.tracestate.empty()) args.insert(args.end(), {"-H", "tracestate: " + c.tracestate});
    args.push_back(stack.api_url() + "/api/node/_any/hostname");
    auto r = stack.curl(args);
    ASSERT_EQ(r.out, "200") << c.name << ": " << r.err;
  }

  // Every exported case has its server span and, through NATS, its job.process span.
  auto complete = [&](const std::vector<ReceivedSpan>& spans) {
    for (const auto& c : table) {
      if (c.expect == Expect::kContinueUnsampled) continue;
      const ReceivedSpan* server = server_span_for(spans, c.name);
      if (server == nullptr || find_span_named(spans, "job.process", server->trace_id) == nullptr)
        return false;
    }
    return true;
  };
  receiver.wait_for(complete);
  stack.stop_all();  // flush, so absent spans are really absent
  const auto spans = receiver.spans();

  for (const auto& c : table) {
    SCOPED_TRACE(c.name + " traceparent=" + c.traceparent);
    const ReceivedSpan* server = server_span_for(spans, c.name);
    switch (c.expect) {
      case Expect::kContinueUnsampled:
        EXPECT_EQ(server, nullptr) << "unsampled parent must not be recorded";
        EXPECT_TRUE(spans_of_trace(spans, c.trace_id).empty());
        EXPECT_GE(log_lines_with_trace(stack.api()->err(), c.trace_id), 1)
            << "the unsampled trace is still continued (logs correlate)";
        EXPECT_GE(log_lines_with_trace(stack.agent()->err(), c.trace_id), 1);
        break;
      case Expect::kContinueSampled: {
        ASSERT_NE(server, nullptr);
        EXPECT_EQ(server->trace_id, c.trace_id);
        EXPECT_EQ(server->parent_span_id, kSpan);
        EXPECT_EQ(server->trace_state, c.want_state);
        const ReceivedSpan* process = find_span_named(spans, "job.process", c.trace_id);
        ASSERT_NE(process, nullptr);
        EXPECT_EQ(process->trace_state, c.want_state) << "tracestate must cross NATS";
        break;
      }
      case Expect::kNewTrace: {
        ASSERT_NE(server, nullptr);
        EXPECT_TRUE(server->parent_span_id.empty());
        EXPECT_EQ(server->trace_id.find("4bf92f3577b34da6a3ce929d0e0e47"), std::string::npos);
        EXPECT_EQ(server->trace_state, "");
        const ReceivedSpan* process = find_span_named(spans, "job.process", server->trace_id);
        ASSERT_NE(process, nullptr);
        EXPECT_EQ(process->trace_state, "");
        break;
      }
    }
  }
}
