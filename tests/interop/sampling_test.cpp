// Head sampling, always parent-based, checked at the independent receiver:
// unsampled requests export nothing yet keep one trace_id in every process's logs.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "chain.h"
#include "receiver.h"
#include "stack.h"

using namespace osapi::testing;

namespace {

const std::string kTrace = "0af7651916cd43dd8448eb211c80319c";
const std::string kParent = "b7ad6b7169203331";

std::string grpc_endpoint(const OtlpReceiver& r) {
  return "127.0.0.1:" + std::to_string(r.grpc_port());
}

StackOptions sampled_stack(const OtlpReceiver& r, const std::string& sampler_yaml) {
  StackOptions o;
  o.exporter = "otlp";
  o.extra_yaml = otlp_yaml(grpc_endpoint(r), sampler_yaml);
  return o;
}

// GET /api/node/_any/hostname straight at the controller with optional trace headers.
RunResult get_hostname(Stack& stack, const std::string& token, const std::string& user_agent,
                       const std::string& traceparent = "") {
  std::vector<std::string> args{"-o", "/dev/null", "-w", "%{http_code}",
                                "-A", user_agent,  "-H", "Authorization: Bearer " + token};
  if (!traceparent.empty()) args.insert(args.end(), {"-H", "traceparent: " + traceparent});
  args.push_back(stack.api_url() + "/api/node/_any/hostname");
  return stack.curl(args);
}

}  // namespace

// always_off at the CLI root: nothing is exported by any process, every process logs the one
// trace id, and the unsampled flag reaches the agent (an always_on agent records nothing).
TEST(InteropSampling, AlwaysOffRootExportsNothingButLogsCorrelate) {
  OtlpReceiver receiver;
  StackOptions o = sampled_stack(receiver, "    sampler: always_off\n");
  o.agents = {{{"OSAPI_TELEMETRY_TRACING_SAMPLER", "always_on"}}};
  Stack stack(o);
  stack.start_all();
  auto r = stack.osapi({"client", "node", "hostname", "--debug"});  // debug: CLI log lines too
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string id = cli_trace_id(r.err);
  ASSERT_EQ(id.size(), 32u) << r.err;
  stack.stop_all();  // flushes every batch processor
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  EXPECT_TRUE(receiver.spans().empty()) << receiver.spans().size() << " spans exported";
  EXPECT_GE(log_lines_with_trace(r.err, id), 1) << r.err;
  EXPECT_GE(log_lines_with_trace(stack.api()->err(), id), 2) << stack.api()->err();
  EXPECT_GE(log_lines_with_trace(stack.agent()->err(), id), 2) << stack.agent()->err();
}

// A sampled incoming traceparent wins over an always_off config (parent-based) in the API and,
// through the NATS headers, in the agent.
TEST(InteropSampling, SampledParentIsRecordedDespiteAlwaysOff) {
  OtlpReceiver receiver;
  Stack stack(sampled_stack(receiver, "    sampler: always_off\n"));
  stack.start_all();
  const std::string token = stack.token();
  auto r = get_hostname(stack, token, "sampled-parent", "00-" + kTrace + "-" + kParent + "-01");
  ASSERT_EQ(r.out, "200") << r.err;
  auto spans = receiver.wait_for([](const auto& s) {
    return find_span_named(s, "job.process", kTrace) != nullptr &&
           find_span_named(s, "GET /api/node/{hostname}/hostname", kTrace) != nullptr;
  });
  const ReceivedSpan* server = find_span_named(spans, "GET /api/node/{hostname}/hostname", kTrace);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->parent_span_id, kParent);
  const ReceivedSpan* process = find_span_named(spans, "job.process", kTrace);
  ASSERT_NE(process, nullptr);
  const ReceivedSpan* publish = find_span_by_id(spans, process->parent_span_id);
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(publish->parent_span_id, server->span_id);

  // And the CLI joins a sampled TRACEPARENT the same way.
  auto cli = stack.osapi({"client", "node", "hostname"},
                         {{"TRACEPARENT", "00-" + kTrace + "-" + kParent + "-01"}});
  ASSERT_EQ(cli.code, 0) << cli.err;
  spans = receiver.wait_for([](const auto& s) {
    return find_span_named(s, "osapi client node hostname get", kTrace) != nullptr;
  });
  const ReceivedSpan* root = find_span_named(spans, "osapi client node hostname get", kTrace);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->parent_span_id, kParent);
}

// An unsampled incoming traceparent with always_on: continued (same trace id in the logs), not
// exported anywhere.
TEST(InteropSampling, UnsampledParentIsNotRecordedDespiteAlwaysOn) {
  OtlpReceiver receiver;
  Stack stack(sampled_stack(receiver, "    sampler: always_on\n"));
  stack.start_all();
  auto r = get_hostname(stack, stack.token(), "unsampled-parent",
                        "00-" + kTrace + "-" + kParent + "-00");
  ASSERT_EQ(r.out, "200") << r.err;
  stack.stop_all();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(spans_of_trace(receiver.spans(), kTrace).empty());
  EXPECT_GE(log_lines_with_trace(stack.api()->err(), kTrace), 2);
  EXPECT_GE(log_lines_with_trace(stack.agent()->err(), kTrace), 2);
}

// traceidratio decides only for roots: some traces are sampled, and every sampled one is
// complete (the agent follows the flag it receives).
TEST(InteropSampling, TraceIdRatioSamplesWholeTraces) {
  OtlpReceiver receiver;
  Stack stack(sampled_stack(receiver, "    sampler: traceidratio\n    sampler_ratio: 0.5\n"));
  stack.start_all();
  const std::string token = stack.token();
  constexpr int kRequests = 24;
  for (int i = 0; i < kRequests; ++i) {
    auto r = get_hostname(stack, token, "ratio-" + std::to_string(i));
    ASSERT_EQ(r.out, "200") << r.err;
  }
  stack.stop_all();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::set<std::string> server_traces, process_traces;
  for (const auto& s : receiver.spans()) {
    if (s.name == "GET /api/node/{hostname}/hostname") server_traces.insert(s.trace_id);
    if (s.name == "job.process") process_traces.insert(s.trace_id);
  }
  // P(all or none of 24 fair draws) ≈ 1e-7.
  EXPECT_GT(server_traces.size(), 0u);
  EXPECT_LT(server_traces.size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(process_traces, server_traces);
}
