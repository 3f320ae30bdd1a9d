// Network and command operations through the real binary: CLI → API → NATS → agent → result.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "stack.h"

using namespace osapi::testing;
using json = nlohmann::json;

namespace {

constexpr const char* kAgentHost = "e2e-netcmd-agent";

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

// A PATH holding only the tools the tests run (no resolvectl, whatever the host has).
std::string minimal_path(TempDir& dir) {
  const std::string bin = dir.file("minbin");
  std::filesystem::create_directories(bin);
  for (const char* tool : {"sh", "sleep", "ls"}) {
    for (const char* d : {"/usr/bin/", "/bin/"}) {
      if (std::filesystem::exists(std::string(d) + tool)) {
        std::filesystem::create_symlink(std::string(d) + tool, bin + "/" + tool);
        break;
      }
    }
  }
  return bin;
}

StackOptions agent_without_resolvectl(TempDir& dir) {
  StackOptions o;
  o.agents = {{{"PATH", minimal_path(dir)}, {"OSAPI_AGENT_HOSTNAME", kAgentHost}}};
  return o;
}

std::string trace_id_of(const std::string& err) {
  std::smatch m;
  std::string last;
  std::regex re("(^|\n)trace_id=([0-9a-f]{32})\n");
  for (auto it = err.cbegin(); std::regex_search(it, err.cend(), m, re); it = m.suffix().first)
    last = m[2];
  return last;
}

const SpanRecord* span_by_id(const std::vector<SpanRecord>& spans, const std::string& id) {
  for (const auto& s : spans)
    if (s.span_id == id) return &s;
  return nullptr;
}

}  // namespace

TEST(E2ENetwork, E2E2_DnsGetWithResolvConfFallbackAndOneTrace) {
  if (!std::filesystem::exists("/etc/resolv.conf")) GTEST_SKIP() << "host has no resolv.conf";
  TempDir tools;
  Stack stack(agent_without_resolvectl(tools));
  stack.start_all();
  auto r = stack.osapi({"client", "node", "network", "dns", "get", "--interface-name", "eth0", "-T",
                        "_any", "--trace"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "Job ID:") && has(r.out, "SERVERS") && has(r.out, "SEARCH DOMAINS"))
      << r.out;
  EXPECT_TRUE(has(r.out, kAgentHost)) << r.out;
  const std::string trace_id = trace_id_of(r.err);
  ASSERT_EQ(trace_id.size(), 32u) << r.err;

  stack.stop_all();  // flushes the servers' span batches
  std::vector<SpanRecord> spans = parse_spans(r.err);
  for (const auto& s : parse_spans(stack.api()->out())) spans.push_back(s);
  for (const auto& s : parse_spans(stack.agent()->out())) spans.push_back(s);
  const SpanRecord* process = nullptr;
  for (const auto& s : spans)
    if (s.name == "job.process" && s.trace_id == trace_id) process = &s;
  ASSERT_NE(process, nullptr) << "no job.process span in trace " << trace_id;
  EXPECT_EQ(process->attributes.at("job.type"), "network.dns.get");
  const SpanRecord* publish = span_by_id(spans, process->parent_span_id);
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(publish->name, "publish osapi.jobs.query._any");
  const SpanRecord* server = span_by_id(spans, publish->parent_span_id);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->attributes.at("http.route"),
            "/api/node/{hostname}/network/dns/{interfaceName}");
  const SpanRecord* client = span_by_id(spans, server->parent_span_id);
  ASSERT_NE(client, nullptr);
  const SpanRecord* root = span_by_id(spans, client->parent_span_id);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->name, "osapi client node network dns get");
}

TEST(E2ENetwork, CL13_CL2_CL3_DnsUpdateFailuresAreClearAndTheAgentSurvives) {
  TempDir tools;
  Stack stack(agent_without_resolvectl(tools));
  stack.start_all();
  // Without resolvectl the host cannot manage DNS: the operation is skipped there, not failed.
  auto r = stack.osapi({"client", "node", "network", "dns", "update", "--servers", "1.1.1.1",
                        "--interface-name", "eth0", "-T", kAgentHost});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("skip"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("operation not supported on this OS family"), std::string::npos) << r.out;
  r = stack.osapi({"client", "node", "hostname", "get", "-T", kAgentHost});
  EXPECT_EQ(r.code, 0) << r.err;

  // CL-2 / CL-3: a read-only token gets 403, as a line on stderr or the body with --json.
  const std::map<std::string, std::string> read_only{
      {"OSAPI_CONTROLLER_CLIENT_SECURITY_BEARER_TOKEN", stack.token("read")}};
  r = stack.osapi({"client", "node", "network", "dns", "update", "--servers", "1.1.1.1",
                   "--interface-name", "eth0", "-T", kAgentHost},
                  read_only);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Error: API returned 403 Forbidden: Insufficient permissions", 0), 0u)
      << r.err;
  r = stack.osapi({"--json", "client", "node", "network", "dns", "update", "--servers", "1.1.1.1",
                   "--interface-name", "eth0", "-T", kAgentHost},
                  read_only);
  EXPECT_EQ(r.code, 1);
  auto body = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.out;
  EXPECT_TRUE(body.contains("error"));

  // Neither list given: a usage error before any request.
  r = stack.osapi(
      {"client", "node", "network", "dns", "update", "--interface-name", "eth0", "-T", kAgentHost});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(has(r.err, "[servers search-domains]")) << r.err;
}

TEST(E2ENetwork, E2E4_CL10_PingLoopback) {
  Stack stack;
  stack.start_all();
  for (const char* flag : {"--address", "-a"}) {
    auto r = stack.osapi({"client", "node", "network", "ping", flag, "127.0.0.1"});
    ASSERT_EQ(r.code, 0) << flag << ": " << r.err;
    EXPECT_TRUE(has(r.out, "Ping Response:") && has(r.out, "LOSS")) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(" ok +\\S+ +\\S+ +\\S+ +0%\n"))) << r.out;
    EXPECT_TRUE(has(r.out, "1 host: 1 ok")) << r.out;
  }
}

TEST(E2ECommand, CM10_CM11_CL6_ExecThroughTheCli) {
  Stack stack;
  stack.start_all();
  // CM-11: a non-zero exit is a result, not an error.
  auto r = stack.osapi({"--json", "client", "node", "command", "exec", "--command", "sh",
                        "--args=-c,exit 3", "-T", "_any"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["results"][0]["exit_code"], 3);
  EXPECT_FALSE(doc["results"][0].contains("error"));

  // CM-10: the agent kills the command at its timeout.
  r = stack.osapi({"client", "node", "command", "exec", "--command", "sleep", "--args", "5",
                   "--timeout", "2", "-T", "_any"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(has(r.err, "command timed out after 2s")) << r.err;

  r = stack.osapi({"client", "node", "command", "shell", "--command", "echo hello", "-T", "_any"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "STDOUT") && has(r.out, "hello") && has(r.out, "EXIT")) << r.out;

  // Raw output: one "[<hostname>] <line>" per line, exit code = the remote one.
  r = stack.osapi({"client", "node", "command", "shell", "--command",
                   "echo one; echo two >&2; exit 4", "-T", "_any", "--stdout", "--stderr"});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("\\[[^\\]]+\\] one\n"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("(^|\n)\\[[^\\]]+\\] two\n"))) << r.err;

  // CL-6: `-T _all` (also the default) asks first; no answer → Aborted., exit 1, no request.
  const std::string all_commands = "request.path=/api/node/_all/command/";
  const size_t requests_before = count(stack.api()->err(), all_commands);
  r = stack.osapi({"client", "node", "command", "exec", "--command", "ls", "-T", "_all"}, {}, "");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("Aborted.\n", 0), 0u) << r.err;  // then only the CLI's span JSON
  EXPECT_TRUE(has(r.out, "This will execute command on ALL hosts. Continue? [y/N] ")) << r.out;
  r = stack.osapi({"client", "node", "command", "shell", "--command", "true"}, {}, "n\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(has(r.out, "execute shell command on ALL hosts")) << r.out;
  EXPECT_EQ(count(stack.api()->err(), all_commands), requests_before);
  r = stack.osapi({"client", "node", "command", "exec", "--command", "ls", "-T", "_all"}, {},
                  "y\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(count(stack.api()->err(), all_commands), requests_before + 1);
}

TEST(E2ECommand, CM9_LongCommandOutlivesTheDefaultWait) {
  // Upstream's 30 s wait; the command runs 35 s with timeout 60, so the API waits 70 s.
  Stack stack;
  stack.start_all();
  const auto start = std::chrono::steady_clock::now();
  auto r = stack.osapi({"--json", "client", "node", "command", "exec", "--command", "sleep",
                        "--args", "35", "--timeout", "60", "-T", "_any"});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["results"][0]["exit_code"], 0);
  EXPECT_GE(doc["results"][0]["duration_ms"].get<long long>(), 35000);
  EXPECT_GE(took, std::chrono::seconds(35));
}
