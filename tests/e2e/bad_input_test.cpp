// Bad input end to end: every failure gets a clear answer, nothing hangs or crashes.
#include <gtest/gtest.h>

#include <chrono>

#include "stack.h"

using namespace osapi::testing;

namespace {
int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}
}  // namespace

TEST(E2EBadInput, ApiDownCliFailsWithOneLine) {
  StackOptions o;
  o.exporter = "";  // spans would go to stderr; this test counts stderr lines
  Stack stack(o);   // nothing started
  auto r = stack.osapi({"client", "agent", "list"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: cannot reach API at http://127.0.0.1:", 0), 0u) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(E2EBadInput, MissingConfigFileIsOneLineError) {
  auto r = run({OSAPI_BINARY, "-f", "/nonexistent/osapi.yaml", "client", "agent", "list"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: failed to read config /nonexistent/osapi.yaml", 0), 0u) << r.err;
  EXPECT_EQ(count_lines(r.err), 1);
  EXPECT_TRUE(r.out.empty());
}

TEST(E2EBadInput, BadConfigValuesAreOneLineErrors) {
  TempDir d;
  const auto bad_yaml = d.write("bad.yaml", "controller: [unclosed\n");
  auto r = run({OSAPI_BINARY, "-f", bad_yaml, "client", "health", "liveness"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: failed to read config", 0), 0u) << r.err;

  const auto bad_dur = d.write("dur.yaml",
                               "nats:\n  stream: {max_age: bogus}\ncontroller:\n  api:\n"
                               "    security:\n      signing_key: abc\n");
  r = run({OSAPI_BINARY, "-f", bad_dur, "controller", "start"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("nats.stream.max_age"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;

  const auto no_key = d.write("nokey.yaml", "debug: false\n");
  r = run({OSAPI_BINARY, "-f", no_key, "controller", "start"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("SigningKey"), std::string::npos) << r.err;
}

TEST(E2EBadInput, AuthTargetsAndTraceparent) {
  Stack stack;
  stack.start_all();
  const std::string url = stack.api_url();

  // Missing / invalid token → 401 with the error body.
  auto r = stack.curl({"-w", "\n%{http_code}", url + "/api/agent"});
  EXPECT_NE(r.out.find("{\"error\":\"Bearer token required\"}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n401"), std::string::npos);
  r = stack.curl(
      {"-w", "\n%{http_code}", "-H", "Authorization: Bearer not-a-token", url + "/api/agent"});
  EXPECT_NE(r.out.find("Invalid token: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n401"), std::string::npos);

  // Unknown target → 400 (HTTP) and a one-line CLI error.
  const std::string auth = "Authorization: Bearer " + stack.token("admin");
  r = stack.curl({"-w", "\n%{http_code}", "-H", auth, url + "/api/node/nope/hostname"});
  EXPECT_NE(r.out.find("valid_target"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("target agent \\\"nope\\\" not found"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n400"), std::string::npos);
  auto cli = stack.osapi({"client", "node", "hostname", "get", "-T", "nope"});
  EXPECT_EQ(cli.code, 1);
  EXPECT_EQ(cli.err.rfind("Error: API returned 400 Bad Request: Key: ", 0), 0u) << cli.err;

  // Malformed traceparent → served under a new trace; a valid one is continued.
  r = stack.curl(
      {"-A", "bad-tp", "-H", "traceparent: 00-XYZ-00f067aa0ba902b7-01", url + "/api/health"});
  EXPECT_NE(r.out.find("\"status\""), std::string::npos) << r.out;
  r = stack.curl({"-A", "good-tp", "-H",
                  "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                  url + "/api/health"});
  EXPECT_NE(r.out.find("\"status\""), std::string::npos) << r.out;
  stack.stop_all();
  auto spans = parse_spans(stack.api()->out());
  bool saw_bad = false, saw_good = false;
  for (const auto& s : spans) {
    auto ua = s.attributes.find("user_agent.original");
    if (ua == s.attributes.end()) continue;
    if (ua->second == "bad-tp") {
      saw_bad = true;
      EXPECT_TRUE(s.parent_span_id.empty());
      EXPECT_EQ(s.trace_id.size(), 32u);
    }
    if (ua->second == "good-tp") {
      saw_good = true;
      EXPECT_EQ(s.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
      EXPECT_EQ(s.parent_span_id, "00f067aa0ba902b7");
    }
  }
  EXPECT_TRUE(saw_bad);
  EXPECT_TRUE(saw_good);
}

TEST(E2EBadInput, NatsDownGivesReadiness503AndBoundedJobError) {
  Stack stack;
  stack.start_all();
  const std::string url = stack.api_url();
  auto r = stack.curl({"-w", "\n%{http_code}", url + "/api/health/ready"});
  EXPECT_NE(r.out.find("\n200"), std::string::npos) << r.out;

  stack.nats()->stop();  // the broker goes away under the running API and agent
  bool not_ready = false;
  for (int i = 0; i < 50 && !not_ready; ++i) {
    r = stack.curl({"-w", "\n%{http_code}", url + "/api/health/ready"});
    not_ready = r.out.find("\n503") != std::string::npos;
    if (!not_ready) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(not_ready) << r.out;
  EXPECT_NE(r.out.find("\"status\":\"not_ready\""), std::string::npos) << r.out;

  const auto start = std::chrono::steady_clock::now();
  auto cli = stack.osapi({"client", "node", "hostname"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(cli.code, 1);
  EXPECT_EQ(cli.err.rfind("Error: API returned 5", 0), 0u) << cli.err;
  EXPECT_LT(took, std::chrono::seconds(45));  // bounded by the job wait, not a hang
  EXPECT_TRUE(stack.api()->running());        // nothing crashed
  EXPECT_TRUE(stack.agent()->running());
}
