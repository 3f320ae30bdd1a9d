// client health status (and the controller|nats|agent status views of it), the controller's
// metrics server and completion through the real binary (acceptance E2E-8, ME-2).
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stack.h"

using namespace osapi::testing;

namespace {

StackOptions quiet_stack() {
  StackOptions o;
  o.exporter = "";
  return o;
}

// Runs the binary without any config file (completion must not need one).
RunResult osapi_without_config(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {OSAPI_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, {{"OSAPI_OSAPIFILE", "/nonexistent/osapi.yaml"}});
}

bool have(const std::string& tool) {
  return run({"sh", "-c", "command -v " + tool}).code == 0;
}

}  // namespace

TEST(E2EMetrics, E2E8_HealthStatusRendersStatusCountsStreamsAndBuckets) {
  Stack stack(quiet_stack());
  stack.start_all();
  auto r = stack.osapi({"client", "health", "status"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Status: ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Version: "), std::string::npos);
  EXPECT_NE(r.out.find("Uptime: "), std::string::npos);
  EXPECT_NE(r.out.find("Jobs: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" total, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Stream: osapi-JOBS ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Bucket: osapi-job-queue ("), std::string::npos) << r.out;

  r = stack.osapi({"-j", "client", "health", "status"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["status"], "ok");
  ASSERT_TRUE(body["components"].is_object() && !body["components"].empty()) << r.out;
  // Every component is up, or reported as switched off (no UI, notifier or PKI here).
  for (const auto& [name, c] : body["components"].items())
    EXPECT_TRUE(c["status"] == "ok" || c["status"] == "disabled") << name << ": " << c.dump();

  // The object store the NATS role provisioned, empty so far.
  ASSERT_EQ(body["object_stores"].size(), 1u) << r.out;
  EXPECT_EQ(body["object_stores"][0]["name"], "osapi-file-objects");
  EXPECT_EQ(body["object_stores"][0]["size"], 0);

  // Every role writes its registry entry: the NATS one describes the nats-server child
  // (its own memory, not the supervisor's) and lists the nats.* sub-components.
  std::map<std::string, nlohmann::json> by_type;
  for (const auto& e : body["registry"]) by_type[e["type"].get<std::string>()] = e;
  for (const char* type : {"controller", "nats", "agent"}) {
    ASSERT_TRUE(by_type.count(type)) << type << " missing: " << body["registry"].dump();
    EXPECT_EQ(by_type[type]["status"], "Ready") << type;
    EXPECT_GT(by_type[type].value("mem_bytes", 0), 0) << type;
  }

  // The registry views of the same body: each component type on its own.
  for (const char* type : {"controller", "nats", "agent"}) {
    r = stack.osapi({"client", type, "status"});
    EXPECT_EQ(r.code, 0) << type << ": " << r.err;
    EXPECT_NE(r.out.find("TYPE"), std::string::npos) << type << ": " << r.out;
    EXPECT_NE(r.out.find(type), std::string::npos) << type << ": " << r.out;
  }
}

TEST(E2EMetrics, HealthStatusDegradedPrintsThenFails) {
  Stack stack(quiet_stack());
  stack.start_all();
  stack.nats()->stop();
  RunResult r;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    r = stack.osapi({"client", "health", "status"});
    if (r.code != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("Status: degraded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NATS not connected"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("Error: API returned 503 Service Unavailable"), std::string::npos) << r.err;
}

// Metrics moved off the API port to the controller's own metrics server (and `client metrics`
// went away with them).
TEST(E2EMetrics, ME2_ControllerMetricsShowRequestsByRouteAndPassPromtool) {
  Stack stack(quiet_stack());
  stack.start_all();
  for (int i = 0; i < 3; ++i) {
    auto n = stack.osapi({"client", "agent", "list"});
    ASSERT_EQ(n.code, 0) << n.err;
  }
  auto r = stack.curl({stack.controller_metrics_url() + "/metrics"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string key =
      "http_server_request_duration_seconds_count{http_request_method=\"GET\","
      "http_response_status_code=\"200\",http_route=\"/api/agent\",";
  const auto pos = r.out.find(key);
  ASSERT_NE(pos, std::string::npos) << r.out;
  const auto eol = r.out.find('\n', pos);
  const std::string line = r.out.substr(pos, eol - pos);
  EXPECT_GE(std::stod(line.substr(line.rfind(' ') + 1)), 3) << line;
  EXPECT_NE(r.out.find("target_info{"), std::string::npos);
  EXPECT_NE(r.out.find("osapi_agents_live 1"), std::string::npos) << r.out;

  auto gone = stack.osapi({"client", "metrics"});
  EXPECT_EQ(gone.code, 1);
  EXPECT_EQ(gone.err.rfind("Error: ", 0), 0u) << gone.err;

  if (!have("promtool")) GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  auto lint = run({"promtool", "check", "metrics"}, {}, r.out);
  EXPECT_EQ(lint.code, 0) << lint.out << lint.err;
  EXPECT_EQ(lint.out + lint.err, "");
}

TEST(E2EMetrics, CompletionBashCompletesTheCommandTree) {
  auto r = osapi_without_config({"completion", "bash"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("complete -F _osapi osapi"), std::string::npos);
  TempDir dir;
  const std::string script = dir.write("osapi.bash", r.out);
  // Drive the completion function as bash would for `osapi client he<TAB>`,
  // `osapi -j client health <TAB>`, `osapi client --t<TAB>` and `osapi client node --t<TAB>`.
  auto c = run({"bash", "-c",
                "source " + script +
                    "; COMP_WORDS=(osapi client he); COMP_CWORD=2; _osapi; echo \"${COMPREPLY[*]}\""
                    "; COMP_WORDS=(osapi -j client health ''); COMP_CWORD=4; _osapi;"
                    " echo \"${COMPREPLY[*]}\""
                    "; COMP_WORDS=(osapi client --t); COMP_CWORD=2; _osapi;"
                    " echo \"${COMPREPLY[*]}\""
                    "; COMP_WORDS=(osapi client node --t); COMP_CWORD=3; _osapi;"
                    " echo \"${COMPREPLY[*]}\""});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out, "health\nliveness ready status\n--trace\n--trace --target\n");
}

TEST(E2EMetrics, CompletionZshIsAValidScript) {
  auto r = osapi_without_config({"completion", "zsh"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("#compdef osapi\n", 0), 0u);
  EXPECT_NE(r.out.find("'liveness:is the controller up'"), std::string::npos);
  if (!have("zsh")) GTEST_SKIP() << "zsh not installed: syntax check skipped";
  TempDir dir;
  auto c = run({"zsh", "-n", dir.write("_osapi", r.out)});
  EXPECT_EQ(c.code, 0) << c.err;
}

TEST(E2EMetrics, CompletionForOtherShellsIsAnError) {
  for (const char* shell : {"fish", "powershell"}) {
    auto r = osapi_without_config({"completion", shell});
    EXPECT_EQ(r.code, 1) << shell;
    EXPECT_EQ(r.err, std::string("Error: completion for ") + shell + " is not supported\n");
    EXPECT_TRUE(r.out.empty());
  }
}
