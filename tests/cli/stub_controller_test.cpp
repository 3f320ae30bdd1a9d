// The real `osapi` binary against a stub controller: every client command sends the REST
// request of the new surface (method, /api path, target segment, body), and turns the canned
// answer into the right output and exit code. No NATS, no agent: this pins the CLI side of the
// wire on its own.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/server.h"
#include "process.h"

using namespace osapi::testing;
using Json = nlohmann::json;

namespace {

struct Seen {
  std::string method, target, body, authorization, traceparent;
};

// Answers "<METHOD> <target>" with a canned status and body; everything else is a 404. Records
// every request.
class StubController {
 public:
  StubController() {
    osapi::http::ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<osapi::http::Server>(o, [this](osapi::http::Request& req) {
      std::lock_guard<std::mutex> lock(mu_);
      Seen s{req.method, req.target, req.body, "", ""};
      if (auto* a = req.header("Authorization")) s.authorization = *a;
      if (auto* t = req.header("traceparent")) s.traceparent = *t;
      seen_.push_back(s);
      auto it = answers_.find(req.method + " " + req.target);
      osapi::http::Response r;
      if (it == answers_.end()) {
        r.status = 404;
        r.body = R"({"error":"not stubbed"})";
      } else {
        r.status = it->second.first;
        r.body = it->second.second;
      }
      if (r.status != 204)
        r.set_header("Content-Type", "application/json");
      else
        r.body.clear();
      return r;
    });
    EXPECT_TRUE(server_->start().ok());
  }

  void answer(const std::string& request, int status, const std::string& body) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[request] = {status, body};
  }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.clear();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->bound_port()); }

 private:
  std::mutex mu_;
  std::map<std::string, std::pair<int, std::string>> answers_;
  std::vector<Seen> seen_;
  std::unique_ptr<osapi::http::Server> server_;
};

class StubControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.write("osapi.yaml", "controller:\n  client:\n    url: " + stub_.url() +
                                           "\n    security:\n      bearer_token: tok\n");
  }

  RunResult osapi(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> argv{OSAPI_BINARY, "-f", config_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {{"NO_COLOR", "1"}}, stdin_data);
  }

  // The one request the last command sent.
  Seen only_request() {
    const auto seen = stub_.seen();
    EXPECT_EQ(seen.size(), 1u);
    return seen.empty() ? Seen{} : seen.back();
  }

  TempDir dir_;
  StubController stub_;
  std::string config_;
};

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

const char* kOneHost = R"({"job_id":"0b9c","results":[{"hostname":"web-01","status":"ok"}]})";

TEST_F(StubControllerTest, EveryCommandCallsItsNewPath) {
  struct Case {
    std::vector<std::string> args;
    std::string request;  // "<METHOD> <target>"
    std::string body;     // expected JSON body, "" = none
  };
  const std::vector<Case> cases = {
      {{"client", "health", "liveness"}, "GET /api/health", ""},
      {{"client", "health", "ready"}, "GET /api/health/ready", ""},
      {{"client", "health", "status"}, "GET /api/health/status", ""},
      {{"client", "controller", "status"}, "GET /api/health/status", ""},
      {{"client", "nats", "status"}, "GET /api/health/status", ""},
      {{"client", "agent", "status"}, "GET /api/health/status", ""},
      {{"client", "agent", "list"}, "GET /api/agent", ""},
      {{"client", "agent", "list", "--pending"}, "GET /api/agent/pending", ""},
      {{"client", "agent", "get", "--hostname", "web 01"}, "GET /api/agent/web%2001", ""},
      {{"client", "node", "status"}, "GET /api/node/_all", ""},
      {{"client", "node", "disk", "get", "-T", "group:web"}, "GET /api/node/group:web/disk", ""},
      {{"client", "node", "memory", "get", "-T", "_any"}, "GET /api/node/_any/memory", ""},
      {{"client", "node", "-T", "web-01", "load", "get"}, "GET /api/node/web-01/load", ""},
      {{"client", "node", "os", "get", "--target", "m-1d2e"}, "GET /api/node/m-1d2e/os", ""},
      {{"client", "node", "uptime", "get"}, "GET /api/node/_all/uptime", ""},
      {{"client", "node", "hostname", "get", "-T", "a/b"}, "GET /api/node/a%2Fb/hostname", ""},
      {{"client", "node", "hostname", "-T", "web-01"}, "GET /api/node/web-01/hostname", ""},
      {{"client", "node", "hostname", "update", "--name", "web-9", "-T", "web-01"},
       "PUT /api/node/web-01/hostname",
       R"({"hostname":"web-9"})"},
      {{"client", "node", "command", "exec", "--command", "ls", "--args", "-l,/tmp", "-T", "h"},
       "POST /api/node/h/command/exec",
       R"({"args":["-l","/tmp"],"command":"ls","timeout":30})"},
      {{"client", "node", "command", "shell", "--command", "echo hi", "--cwd", "/", "--timeout",
        "5", "-T", "h"},
       "POST /api/node/h/command/shell",
       R"({"command":"echo hi","cwd":"/","timeout":5})"},
      {{"client", "node", "network", "dns", "get", "--interface-name", "eth0", "-T", "h"},
       "GET /api/node/h/network/dns/eth0",
       ""},
      {{"client", "node", "network", "dns", "update", "--interface-name", "eth0", "--servers",
        "1.1.1.1,8.8.8.8", "--override-dhcp", "-T", "h"},
       "PUT /api/node/h/network/dns",
       R"({"interface_name":"eth0","override_dhcp":true,"servers":["1.1.1.1","8.8.8.8"]})"},
      {{"client", "node", "network", "dns", "update", "--interface-name", "eth0",
        "--search-domains", "example.com", "-T", "h"},
       "PUT /api/node/h/network/dns",
       R"({"interface_name":"eth0","search_domains":["example.com"]})"},
      {{"client", "node", "network", "dns", "delete", "--interface-name", "eth0", "-T", "h"},
       "DELETE /api/node/h/network/dns",
       R"({"interface_name":"eth0"})"},
      {{"client", "node", "network", "ping", "--address", "127.0.0.1", "-T", "h"},
       "POST /api/node/h/network/ping",
       R"({"address":"127.0.0.1"})"},
      {{"client", "node", "network", "ping", "-a", "::1", "-T", "h"},
       "POST /api/node/h/network/ping",
       R"({"address":"::1"})"},
      {{"client", "job", "list"}, "GET /api/job?limit=10&offset=0", ""},
      {{"client", "job", "list", "--status", "failed", "--limit", "5", "--offset", "2"},
       "GET /api/job?limit=5&offset=2&status=failed",
       ""},
      {{"client", "job", "get", "--job-id", "9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11"},
       "GET /api/job/9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11",
       ""},
      {{"client", "job", "delete", "--job-id", "9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11"},
       "DELETE /api/job/9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11",
       ""},
      {{"client", "job", "retry", "--job-id", "9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11"},
       "POST /api/job/9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11/retry",
       R"({"target_hostname":"_any"})"},
      {{"client", "audit", "list"}, "GET /api/audit?limit=20&offset=0", ""},
      {{"client", "audit", "get", "--audit-id", "0190e0c4-1d2e-7f00-8000-000000000001"},
       "GET /api/audit/0190e0c4-1d2e-7f00-8000-000000000001",
       ""},
  };
  for (const auto& c : cases) {
    stub_.clear();
    const auto r = osapi(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    const Seen s = only_request();
    EXPECT_EQ(s.method + " " + s.target, c.request) << joined;
    if (c.body.empty()) {
      EXPECT_EQ(s.body, "") << joined;
    } else {
      EXPECT_EQ(Json::parse(s.body, nullptr, false), Json::parse(c.body)) << joined << s.body;
    }
    const bool public_probe =
        c.request == "GET /api/health" || c.request == "GET /api/health/ready";
    EXPECT_EQ(s.authorization, public_probe ? "" : "Bearer tok") << joined;
    // Nothing is stubbed here: every command ends with the server's 404 as one error line.
    EXPECT_EQ(r.code, 1) << joined;
    EXPECT_EQ(r.err, "Error: API returned 404 Not Found: not stubbed\n") << joined;
  }
}

TEST_F(StubControllerTest, BroadcastTableSummaryDetailsAndFailureExit) {
  stub_.answer("GET /api/node/_all/hostname", 200, R"({"job_id":"0b9c","results":[
      {"hostname":"web-01","status":"ok"},
      {"hostname":"web-02","status":"ok","changed":true},
      {"hostname":"mac-1","status":"skipped","error":"operation not supported on this OS family"},
      {"hostname":"web-03","status":"failed","error":"timeout: agent did not respond"}]})");
  const auto r = osapi({"client", "node", "hostname"});
  EXPECT_EQ(r.out,
            "\n"
            "  Job ID: 0b9c\n"
            "\n"
            "  HOSTNAME  STATUS\n"
            "  web-01    ok\n"
            "  web-02    changed\n"
            "  mac-1     skip\n"
            "  web-03    err\n"
            "\n"
            "  4 hosts: 1 ok, 1 changed, 1 skipped, 1 failed\n"
            "\n"
            "  Details:\n"
            "    mac-1   operation not supported on this OS family\n"
            "    web-03  timeout: agent did not respond\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: 1 of 4 hosts failed\n");

  // --json: the raw body, and the same exit status.
  const auto j = osapi({"-j", "client", "node", "hostname", "get"});
  EXPECT_EQ(Json::parse(j.out)["results"].size(), 4u);
  EXPECT_EQ(j.code, 1);
}

TEST_F(StubControllerTest, SkippedHostsAreNotFailures) {
  stub_.answer("GET /api/node/_all/os", 200, R"({"results":[
      {"hostname":"web-01","status":"ok","os_info":{"distribution":"debian","version":"12"}},
      {"hostname":"mac-1","status":"skipped","error":"operation not supported on this OS family"}]})");
  const auto r = osapi({"client", "node", "os", "get"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "  web-01    ok      debian        12\n")) << r.out;
  EXPECT_TRUE(has(r.out, "2 hosts: 1 ok, 1 skipped")) << r.out;
}

TEST_F(StubControllerTest, ApiErrorsAreOneLineAndJsonBodiesStillPrint) {
  stub_.answer("GET /api/node/nope/hostname", 400,
               R"({"error":"Key: 'Hostname' Error:Field validation for 'Hostname' failed on the )"
               R"('valid_target' tag; target agent \"nope\" not found"})");
  auto r = osapi({"client", "node", "hostname", "get", "-T", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: API returned 400 Bad Request: Key: 'Hostname'", 0), 0u) << r.err;
  EXPECT_EQ(r.out, "");
  r = osapi({"--json", "client", "node", "hostname", "get", "-T", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Json::parse(r.out).contains("error")) << r.out;
}

TEST_F(StubControllerTest, RawCommandOutputExitsWithTheHighestRemoteExitCode) {
  stub_.answer("POST /api/node/_all/command/exec", 202, R"({"job_id":"j","results":[
      {"hostname":"a","status":"ok","stdout":"one\ntwo\n","stderr":"warn\n","exit_code":3},
      {"hostname":"b","status":"ok","stdout":"three\n","stderr":"","exit_code":0}]})");
  auto r = osapi({"client", "node", "command", "exec", "--command", "x", "--stdout"}, "y\n");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.out,
            "This will execute command on ALL hosts. Continue? [y/N] [a] one\n[a] two\n"
            "[b] three\n");
  EXPECT_EQ(r.err, "");
  r = osapi({"client", "node", "command", "exec", "--command", "x", "--stderr"}, "y\n");
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, "[a] warn\n");

  // Without the raw flags a non-zero remote exit is a result, not a failure.
  r = osapi({"client", "node", "command", "exec", "--command", "x"}, "y\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "  HOSTNAME  STATUS  EXIT  STDOUT\n  a         ok      3     one two\n"))
      << r.out;
}

TEST_F(StubControllerTest, RawModeWithAFailedHostAndZeroExitCodesFailsWithTheCount) {
  stub_.answer("POST /api/node/g:w/command/shell", 202, R"({"results":[
      {"hostname":"a","status":"ok","stdout":"fine\n","exit_code":0},
      {"hostname":"b","status":"failed","error":"timeout: agent did not respond"}]})");
  const auto r =
      osapi({"client", "node", "command", "shell", "--command", "x", "-T", "g:w", "--stdout"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "[a] fine\n");
  EXPECT_EQ(r.err, "[b] error: timeout: agent did not respond\nError: 1 of 2 hosts failed\n");
}

TEST_F(StubControllerTest, MutationsOnAllHostsAskFirst) {
  stub_.answer("PUT /api/node/_all/hostname", 202, kOneHost);
  for (const std::string answer : {"", "n\n", "yes\n"}) {
    stub_.clear();
    const auto r = osapi({"client", "node", "hostname", "update", "--name", "x"}, answer);
    EXPECT_EQ(r.code, 1) << answer;
    EXPECT_EQ(r.out, "This will change the hostname on ALL hosts. Continue? [y/N] ");
    EXPECT_EQ(r.err, "Aborted.\n");
    EXPECT_TRUE(stub_.seen().empty()) << "no request after a declined prompt";
  }
  auto r = osapi({"client", "node", "hostname", "update", "--name", "x"}, "Y\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(stub_.seen().size(), 1u);
  // With --json the question goes to stderr: stdout stays one JSON document.
  r = osapi({"-j", "client", "node", "hostname", "update", "--name", "x"}, "y\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["job_id"], "0b9c");
  EXPECT_TRUE(has(r.err, "Continue? [y/N] "));
  // Label targets and single hosts are not asked.
  stub_.answer("DELETE /api/node/group:web/network/dns", 200, kOneHost);
  r = osapi({"client", "node", "network", "dns", "delete", "--interface-name", "eth0", "-T",
             "group:web"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(has(r.out, "Continue?"));
}

TEST_F(StubControllerTest, DnsUpdateNeedsServersOrSearchDomainsBeforeAnyRequest) {
  const auto r =
      osapi({"client", "node", "network", "dns", "update", "--interface-name", "eth0", "-T", "h"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(has(r.err, "[servers search-domains]")) << r.err;
  EXPECT_TRUE(stub_.seen().empty());
}

TEST_F(StubControllerTest, JobListLimitZeroFetchesEveryPage) {
  auto page = [](int first, int n, int total) {
    Json items = Json::array();
    for (int i = first; i < first + n; ++i)
      items.push_back({{"id", "job-" + std::to_string(i)}, {"status", "submitted"}});
    return Json{{"total_items", total}, {"status_counts", {{"submitted", total}}}, {"items", items}}
        .dump();
  };
  stub_.answer("GET /api/job?limit=100&offset=0", 200, page(0, 100, 150));
  stub_.answer("GET /api/job?limit=100&offset=100", 200, page(100, 50, 150));
  const auto r = osapi({"-j", "client", "job", "list", "--limit", "0"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Json listed = Json::parse(r.out);
  EXPECT_EQ(listed["displayed_jobs"], 150);
  EXPECT_EQ(listed["total_jobs"], 150);
  EXPECT_EQ(listed["limit_applied"], false);
  EXPECT_EQ(listed["jobs"].back()["id"], "job-149");
  EXPECT_EQ(stub_.seen().size(), 2u);
}

TEST_F(StubControllerTest, JobDeleteOutputs) {
  const std::string id = "9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11";
  stub_.answer("DELETE /api/job/" + id, 204, "");
  auto r = osapi({"client", "job", "delete", "--job-id", id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "  Job ID: " + id + "    Status: Deleted\n")) << r.out;
  r = osapi({"-j", "client", "job", "delete", "--job-id", id});
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["status"], "deleted");
  EXPECT_EQ(j["job_id"], id);
  EXPECT_TRUE(j.contains("timestamp"));
}

TEST_F(StubControllerTest, MalformedIdsFailBeforeAnyRequest) {
  for (const char* cmd : {"get", "delete", "retry"}) {
    const auto r = osapi({"client", "job", cmd, "--job-id", "nope"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "Error: invalid job ID: nope is not a valid UUID\n");
  }
  const auto r = osapi({"client", "audit", "get", "--audit-id", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(stub_.seen().empty());
}

TEST_F(StubControllerTest, HealthReadyAndStatusPrintTheir503ThenFail) {
  stub_.answer("GET /api/health/ready", 503, R"({"status":"not_ready","error":"nats: down"})");
  auto r = osapi({"client", "health", "ready"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "\n  Status: not_ready\n  Error: nats: down\n");
  EXPECT_EQ(r.err, "Error: API returned 503 Service Unavailable: nats: down\n");
  stub_.answer("GET /api/health/status", 503,
               R"({"status":"degraded","version":"0.1.0","uptime":"1s","components":{)"
               R"("controller.nats":{"status":"error","error":"NATS not connected"}}})");
  r = osapi({"client", "health", "status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(has(r.out, "  controller.nats: error NATS not connected\n")) << r.out;
  EXPECT_EQ(r.err.rfind("Error: API returned 503 Service Unavailable", 0), 0u) << r.err;
  stub_.answer("GET /api/health", 200, R"({"status":"ok"})");
  r = osapi({"client", "health", "liveness"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "\n  Status: ok\n");
}

TEST_F(StubControllerTest, UrlFlagOverridesTheConfig) {
  StubController other;
  other.answer("GET /api/health", 200, R"({"status":"ok"})");
  const auto r = osapi({"client", "--url", other.url(), "health", "liveness"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(other.seen().size(), 1u);
  EXPECT_TRUE(stub_.seen().empty());
}

TEST_F(StubControllerTest, TraceSendsTraceparentAndPrintsTheTraceId) {
  stub_.answer("GET /api/node/_all/uptime", 200, kOneHost);
  const auto r = osapi({"client", "--trace", "node", "uptime", "get"});
  EXPECT_EQ(r.code, 0) << r.err;
  const Seen s = only_request();
  ASSERT_EQ(s.traceparent.size(), 55u) << s.traceparent;
  EXPECT_TRUE(has(r.err, "trace_id=" + s.traceparent.substr(3, 32))) << r.err;
}

TEST_F(StubControllerTest, RemovedCommandsAreUsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"client", "node", "list"},
           {"client", "network", "dns", "get", "--interface-name", "eth0"},
           {"client", "command", "exec", "--command", "ls"},
           {"client", "job", "add", "--json-file", "x", "--target-hostname", "_any"},
           {"client", "job", "run", "--json-file", "x"},
           {"client", "job", "status"},
           {"client", "metrics"},
           {"client", "-T", "web-01", "node", "status"}}) {
    const auto r = osapi(args);
    EXPECT_EQ(r.code, 1) << args[1] << " " << args[2];
    EXPECT_EQ(r.err.rfind("Error: ", 0), 0u) << r.err;
  }
  EXPECT_TRUE(stub_.seen().empty());
}

TEST_F(StubControllerTest, BareGroupsPrintHelp) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"client"}, {"client", "health"}, {"client", "node"}, {"client", "node", "network"}}) {
    const auto r = osapi(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(has(r.out, "Subcommands:")) << r.out;
  }
  EXPECT_TRUE(stub_.seen().empty());
}

TEST_F(StubControllerTest, AuditExportFileIsOwnerOnly) {
  stub_.answer("GET /api/audit/export", 200,
               R"({"items":[{"id":"a1","user":"ops@example.com"}],"total_items":1})");
  // A new file, under a permissive umask: still 0600.
  const std::string fresh = dir_.file("audit.jsonl");
  const mode_t old_umask = ::umask(0);
  const auto r = osapi({"client", "audit", "export", "--output", fresh});
  ::umask(old_umask);
  ASSERT_EQ(r.code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(fresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read_file(fresh), "{\"id\":\"a1\",\"user\":\"ops@example.com\"}\n");
  // An existing world-readable file is narrowed before it is overwritten.
  const std::string existing = dir_.write("old.jsonl", "stale contents that are longer\n");
  ASSERT_EQ(::chmod(existing.c_str(), 0644), 0);
  ASSERT_EQ(osapi({"client", "audit", "export", "--output", existing}).code, 0);
  ASSERT_EQ(::stat(existing.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read_file(existing), "{\"id\":\"a1\",\"user\":\"ops@example.com\"}\n");
}

TEST(Version, PrintsJsonWithoutAConfig) {
  const auto r = run({OSAPI_BINARY, "version"}, {{"OSAPI_OSAPIFILE", "/nonexistent.yaml"}});
  EXPECT_EQ(r.code, 0) << r.err;
  const Json j = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["gitVersion"], "0.1.0");
  EXPECT_TRUE(j.contains("platform"));
}

}  // namespace
