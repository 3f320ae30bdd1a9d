// The human views of the client commands, fed with response bodies shaped like the REST API's.
#include "cli/client_views.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace osapi::cli {
namespace {

const Style kPlain{};

Json parse(const char* text) {
  return Json::parse(text);
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TimePoint at(const char* rfc3339_text) {
  Clock::time_point t;
  EXPECT_TRUE(parse_rfc3339(rfc3339_text, t));
  return t;
}

TEST(NodeViews, HostStatusStartsWithTheJobIdThenTheTable) {
  const Json body = parse(R"({"job_id":"0b9c","results":[
      {"hostname":"web-01","status":"ok","changed":true},
      {"hostname":"web-02","status":"skipped","error":"operation not supported on this OS family"}]})");
  EXPECT_EQ(view_host_status(body, kPlain),
            "\n"
            "  Job ID: 0b9c\n"
            "\n"
            "  HOSTNAME  STATUS\n"
            "  web-01    changed\n"
            "  web-02    skip\n"
            "\n"
            "  2 hosts: 1 changed, 1 skipped\n"
            "\n"
            "  Details:\n"
            "    web-02  operation not supported on this OS family\n");
}

TEST(NodeViews, NoJobIdNoJobIdLine) {
  const Json body = parse(R"({"results":[{"hostname":"h","status":"ok"}]})");
  EXPECT_FALSE(has(view_host_status(body, kPlain), "Job ID"));
}

TEST(NodeViews, DiskFillsOneRowPerDiskAndCountsTheHostOnce) {
  const Json body = parse(R"({"job_id":"j","results":[
      {"hostname":"web-01","status":"ok","disks":[
          {"name":"/","total":1073741824,"used":536870912,"free":536870912},
          {"name":"/boot","total":1048576,"used":262144,"free":786432}]},
      {"hostname":"web-02","status":"failed","error":"disk read failed"}]})");
  EXPECT_EQ(view_node_disk(body, kPlain),
            "\n"
            "  Job ID: j\n"
            "\n"
            "  HOSTNAME  STATUS  MOUNT  TOTAL   USED      USAGE\n"
            "  web-01    ok      /      1.0 GB  512.0 MB  50%\n"
            "  web-01    ok      /boot  1.0 MB  256.0 KB  25%\n"
            "  web-02    err\n"
            "\n"
            "  2 hosts: 1 ok, 1 failed\n"
            "\n"
            "  Details:\n"
            "    web-02  disk read failed\n");
}

TEST(NodeViews, MemoryLoadOsUptime) {
  const Json mem = parse(R"({"results":[{"hostname":"h","status":"ok",
      "memory":{"total":8589934592,"used":2147483648,"free":6442450944}}]})");
  EXPECT_TRUE(has(view_node_memory(mem, kPlain),
                  "  HOSTNAME  STATUS  TOTAL   USED    FREE    USAGE\n"
                  "  h         ok      8.0 GB  2.0 GB  6.0 GB  25%\n"));
  const Json load = parse(R"({"results":[{"hostname":"h","status":"ok",
      "load_average":{"1min":1.5,"5min":0.25,"15min":0}}]})");
  EXPECT_TRUE(has(view_node_load(load, kPlain),
                  "  HOSTNAME  STATUS  LOAD (1M)  LOAD (5M)  LOAD (15M)\n"
                  "  h         ok      1.50       0.25       0.00\n"));
  const Json os = parse(R"({"results":[{"hostname":"h","status":"ok",
      "os_info":{"distribution":"debian","version":"12"}}]})");
  EXPECT_TRUE(has(view_node_os(os, kPlain),
                  "  HOSTNAME  STATUS  DISTRIBUTION  VERSION\n"
                  "  h         ok      debian        12\n"));
  const Json up = parse(R"({"results":[{"hostname":"h","status":"ok","uptime":"3 days"}]})");
  EXPECT_TRUE(has(view_node_uptime(up, kPlain), "  h         ok      3 days\n"));
}

TEST(NodeViews, StatusTableForManyHosts) {
  const Json body = parse(R"({"job_id":"j","results":[
      {"hostname":"a","status":"ok","uptime":"1h","load_average":{"1min":0.5,"5min":0,"15min":0},
       "memory":{"total":8589934592,"used":2147483648,"free":1}},
      {"hostname":"b","status":"failed","error":"timeout: agent did not respond"}]})");
  const std::string out = view_node_status(body, false, kPlain);
  EXPECT_TRUE(has(out,
                  "  HOSTNAME  STATUS  UPTIME  LOAD  MEM\n"
                  "  a         ok      1h      0.50  2.0 GB / 8.0 GB\n"
                  "  b         err\n"))
      << out;
  EXPECT_FALSE(has(out, "Disks:"));
  EXPECT_FALSE(has(view_node_status(body, true, kPlain), "Load:"));  // two results: no detail
}

TEST(NodeViews, StatusDetailForOneHost) {
  const Json body = parse(R"({"job_id":"j","results":[
      {"hostname":"a","status":"ok","uptime":"1h",
       "load_average":{"1min":1,"5min":0.5,"15min":0.25},
       "memory":{"total":8589934592,"used":2147483648,"free":6442450944},
       "disks":[{"name":"/","total":107374182400,"used":53687091200,"free":53687091200}]}]})");
  const std::string out = view_node_status(body, true, kPlain);
  EXPECT_TRUE(has(out, "  Load: 1.00, 0.50, 0.25 (1m, 5m, 15m)\n")) << out;
  EXPECT_TRUE(has(out, "  Memory: 2.0 GB used / 8.0 GB total / 6.0 GB free\n")) << out;
  EXPECT_TRUE(has(out,
                  "  Disks:\n"
                  "  DISK NAME  TOTAL     USED     FREE\n"
                  "  /          100.0 GB  50.0 GB  50.0 GB\n"))
      << out;
}

TEST(NodeViews, DnsListsJoinedOrNone) {
  const Json body = parse(R"({"results":[
      {"hostname":"h","status":"ok","servers":["1.1.1.1","8.8.8.8"],"search_domains":[]}]})");
  EXPECT_TRUE(has(view_dns_get(body, kPlain),
                  "  HOSTNAME  STATUS  SERVERS           SEARCH DOMAINS\n"
                  "  h         ok      1.1.1.1, 8.8.8.8  None\n"));
}

TEST(NodeViews, PingHasItsTitleAndColumns) {
  const Json body = parse(R"({"results":[{"hostname":"h","status":"ok","packets_sent":3,
      "packets_received":3,"packet_loss":0,"min_rtt":"0.1ms","avg_rtt":"0.2ms","max_rtt":"0.3ms"}]})");
  EXPECT_TRUE(has(view_ping(body, kPlain),
                  "\n  Ping Response:\n"
                  "  HOSTNAME  STATUS  AVG    MIN    MAX    LOSS\n"
                  "  h         ok      0.2ms  0.1ms  0.3ms  0%\n"));
}

TEST(NodeViews, CommandTableShowsExitAndStdoutOnOneLine) {
  const Json body = parse(R"({"job_id":"j","results":[
      {"hostname":"a","status":"ok","changed":true,"stdout":"hello\nworld\n","stderr":"",
       "exit_code":0,"duration_ms":5},
      {"hostname":"b","status":"failed","error":"exec: no such file"}]})");
  const std::string out = view_command(body, kPlain);
  EXPECT_TRUE(has(out,
                  "  HOSTNAME  STATUS   EXIT  STDOUT\n"
                  "  a         changed  0     hello world\n"
                  "  b         err\n"))
      << out;
  EXPECT_TRUE(has(out, "    b  exec: no such file\n")) << out;
}

TEST(NodeViews, RawCommandOutputKeepsStreamsApartAndTakesTheHighestExitCode) {
  const Json body = parse(R"({"results":[
      {"hostname":"a","status":"ok","stdout":"1\n2\n","stderr":"warn\n","exit_code":3},
      {"hostname":"b","status":"ok","stdout":"x","stderr":"","exit_code":1},
      {"hostname":"c","status":"failed","error":"timeout: agent did not respond"}]})");
  RawCommandOutput raw = view_command_raw(body, true, true, kPlain);
  EXPECT_EQ(raw.out, "[a] 1\n[a] 2\n[b] x\n");
  EXPECT_EQ(raw.err, "[a] warn\n[c] error: timeout: agent did not respond\n");
  EXPECT_EQ(raw.exit_code, 3);
  raw = view_command_raw(body, true, false, kPlain);
  EXPECT_EQ(raw.err, "[c] error: timeout: agent did not respond\n");
  raw = view_command_raw(body, false, true, kPlain);
  EXPECT_EQ(raw.out, "");
}

const char* kStatusBody = R"({
  "status":"ok","version":"0.1.0","uptime":"1h0m0s",
  "components":{"controller.nats":{"status":"ok"},"controller.kv":{"status":"ok"},
                "agent.heartbeat":{"status":"ok"},"nats":{"status":"error","error":"not connected"}},
  "registry":[
    {"type":"controller","hostname":"c1","status":"Ready","age":"1h","cpu_percent":1.5,
     "mem_bytes":10485760},
    {"type":"agent","hostname":"a1","status":"Ready","conditions":["HighLoad","DiskPressure"],
     "age":"2m","cpu_percent":0.25,"mem_bytes":2048}],
  "jobs":{"total":3,"unprocessed":1,"processing":0,"completed":2,"failed":0,"dlq":0},
  "streams":[{"name":"JOBS","messages":3,"bytes":2048,"consumers":2}],
  "kv_buckets":[{"name":"job-queue","keys":3,"bytes":100}],
  "object_stores":[{"name":"file-objects","size":0}],
  "consumers":{"total":1,"consumers":[{"name":"q","pending":0,"ack_pending":1,"redelivered":2}]}
})";

TEST(HealthViews, StatusShowsRegistryComponentsCountsAndConsumers) {
  const std::string out = view_health_status(parse(kStatusBody), kPlain);
  EXPECT_EQ(
      out.rfind("\n"
                "  TYPE        HOSTNAME      STATUS  CONDITIONS              AGE  CPU   MEM\n"
                "  controller  c1            Ready   -                       1h   1.5%  10.0 MB\n"
                "              ├─ kv         ok\n"
                "              └─ nats       ok\n"
                "  agent       a1            Ready   HighLoad, DiskPressure  2m   0.2%  2.0 KB\n"
                "              └─ heartbeat  ok\n"
                "\n",
                0),
      0u)
      << out;
  EXPECT_TRUE(has(out, "  Status: ok              Version: 0.1.0          Uptime: 1h0m0s\n"))
      << out;
  // A component no registry row shows gets its own line, error included.
  EXPECT_TRUE(has(out, "  nats: error not connected\n")) << out;
  EXPECT_FALSE(has(out, "controller.nats:")) << out;
  EXPECT_TRUE(has(out, "  Jobs: 3 total, 2 completed, 1 unprocessed, 0 failed, 0 dlq\n"));
  EXPECT_TRUE(has(out, "  Stream: JOBS (3 msgs, 2.0 KB, 2 consumers)\n"));
  EXPECT_TRUE(has(out, "  Bucket: job-queue (3 keys, 100 B)\n"));
  EXPECT_TRUE(has(out, "  Object Store: file-objects (0 B)\n"));
  EXPECT_TRUE(has(out,
                  "  Consumers: 1 total\n"
                  "\n"
                  "  NAME  PENDING  ACK PENDING  REDELIVERED\n"
                  "  q     0        1            2\n"))
      << out;
}

TEST(HealthViews, ComponentTableFiltersByType) {
  const std::string out = view_component_table(parse(kStatusBody), "agent", kPlain);
  EXPECT_TRUE(has(out,
                  "  TYPE   HOSTNAME      STATUS  CONDITIONS              AGE  CPU   MEM\n"
                  "  agent  a1            Ready   HighLoad, DiskPressure  2m   0.2%  2.0 KB\n"
                  "         └─ heartbeat  ok\n"))
      << out;
  EXPECT_FALSE(has(out, "controller")) << out;
  EXPECT_EQ(view_component_table(parse(kStatusBody), "nats", kPlain), "\n  No components found.\n");
}

TEST(HealthViews, WithoutARegistryEveryComponentIsALine) {
  const Json body = parse(R"({"status":"degraded","version":"0.1.0","uptime":"5s",
      "components":{"controller.nats":{"status":"error","error":"NATS not connected"}}})");
  const std::string out = view_health_status(body, kPlain);
  EXPECT_TRUE(has(out, "  Status: degraded")) << out;
  EXPECT_TRUE(has(out, "  controller.nats: error NATS not connected\n")) << out;
  EXPECT_FALSE(has(out, "TYPE")) << out;
}

TEST(HealthViews, LivenessAndReady) {
  EXPECT_EQ(view_health_liveness(parse(R"({"status":"ok"})"), kPlain), "\n  Status: ok\n");
  EXPECT_EQ(view_health_ready(parse(R"({"status":"not_ready","error":"nats: down"})"), kPlain),
            "\n  Status: not_ready\n  Error: nats: down\n");
}

TEST(AgentViews, ListRows) {
  const Json body = parse(R"({"total":2,"agents":[
      {"machine_id":"m1","hostname":"web-01","status":"Ready","state":"Ready",
       "labels":{"zone":"a","group":"web"},"started_at":"2026-01-01T10:00:00Z",
       "load_average":{"1min":0.5,"5min":0,"15min":0},
       "os_info":{"distribution":"debian","version":"12"},
       "conditions":[{"type":"HighLoad","status":true,"last_transition_time":"2026-01-01T10:00:00Z"},
                     {"type":"DiskPressure","status":false,"last_transition_time":"2026-01-01T10:00:00Z"}]},
      {"hostname":"web-02","status":"NotReady","state":"Draining"}]})");
  const std::string out = view_agent_list(body, kPlain, at("2026-01-01T12:30:00Z"));
  EXPECT_EQ(out,
            "\n"
            "  MACHINE ID  HOSTNAME  STATUS               CONDITIONS  LABELS             AGE     "
            "LOAD (1M)  OS\n"
            "  m1          web-01    Ready                HighLoad    group:web, zone:a  2h 30m  "
            "0.50       debian 12\n"
            "              web-02    NotReady (Draining)  -\n");
  EXPECT_EQ(
      view_agent_list(parse(R"({"total":0,"agents":[]})"), kPlain, at("2026-01-01T00:00:00Z")),
      "No active agents found.\n");
}

TEST(AgentViews, PendingRows) {
  const Json body = parse(R"({"total":1,"agents":[{"machine_id":"m9","hostname":"new",
      "fingerprint":"SHA256:ab","requested_at":"2026-01-01T11:55:00Z"}]})");
  EXPECT_TRUE(has(view_agent_pending(body, kPlain, at("2026-01-01T12:00:00Z")),
                  "  m9          new       SHA256:ab    5m ago\n"));
}

TEST(AgentViews, GetShowsTheAgentInDetail) {
  const Json body = parse(R"({"hostname":"web-01","status":"Ready","state":"Ready",
      "labels":{"group":"web"},"os_info":{"distribution":"debian","version":"12"},
      "uptime":"3 days","started_at":"2026-01-01T10:00:00Z","registered_at":"2026-01-01T11:59:50Z",
      "architecture":"amd64","kernel_version":"6.1","cpu_count":4,"fqdn":"web-01.example",
      "load_average":{"1min":1,"5min":2,"15min":3},
      "memory":{"total":8589934592,"used":1073741824,"free":7516192768},
      "primary_interface":"eth0",
      "interfaces":[{"name":"eth0","ipv4":"10.0.0.5","mac":"aa:bb"}],
      "routes":[{"destination":"0.0.0.0","gateway":"10.0.0.1","interface":"eth0","metric":100}],
      "conditions":[{"type":"HighLoad","status":true,"reason":"load 3.0",
                     "last_transition_time":"2026-01-01T11:00:00Z"}],
      "timeline":[{"timestamp":"2026-01-01T10:00:00Z","event":"registered","hostname":"web-01"}]})");
  const std::string out = view_agent_get(body, kPlain, at("2026-01-01T12:00:00Z"));
  for (const char* line :
       {"  Hostname: web-01        Status: Ready\n", "  Labels: group:web\n", "  OS: debian 12\n",
        "  Age: 2h 0m\n", "  Last Seen: 10s ago\n", "  CPUs: 4\n",
        "  Load: 1.00, 2.00, 3.00 (1m, 5m, 15m)\n",
        "  Memory: 8.0 GB total, 1.0 GB used, 7.0 GB free\n", "  Primary Iface: eth0\n",
        "  Interface eth0: 10.0.0.5  aa:bb\n", "  Routes:\n", "  0.0.0.0      10.0.0.1",
        "  Conditions:\n", "  HighLoad  true    load 3.0  1h 0m\n", "  Timeline:\n"})
    EXPECT_TRUE(has(out, line)) << line << "\n" << out;
}

TEST(JobViews, ListSummaryFilterAndRows) {
  const Json page = parse(R"({"total_items":12,"status_counts":{"submitted":2,"completed":9,
      "failed":1},"items":[
      {"id":"9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11","status":"completed",
       "created":"2026-02-26T22:41:07Z","hostname":"web-01","operation":{"type":"node.hostname.get"}},
      {"id":"8b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11","status":"submitted",
       "created":"2026-02-26T22:40:00Z"}]})");
  const std::string out = view_job_list(page, JobListRequest{"", 2, 0}, kPlain);
  EXPECT_TRUE(has(out, "  Total: 12               Showing: All jobs\n")) << out;
  EXPECT_TRUE(has(out,
                  "  Submitted: 2            Completed: 9            Failed: 1"
                  "               Partial: 0\n"))
      << out;
  EXPECT_TRUE(has(out, "  Filter: offset 0, limit 2\n")) << out;  // the page is full
  EXPECT_TRUE(has(out,
                  "  Jobs:\n"
                  "  JOB ID                                STATUS     CREATED           TARGET  "
                  "OPERATION\n"
                  "  9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11  completed  2026-02-26 22:41  web-01  "
                  "node.hostname.get\n"
                  "  8b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11  submitted  2026-02-26 22:40          "
                  "Unknown\n"))
      << out;
  EXPECT_TRUE(has(view_job_list(page, JobListRequest{"completed", 10, 0}, kPlain),
                  "Showing: completed (12)"));
  EXPECT_FALSE(has(view_job_list(page, JobListRequest{"", 10, 0}, kPlain), "Filter:"));
}

TEST(JobViews, ListJsonHasSortedKeys) {
  const Json page = parse(R"({"total_items":15,"status_counts":{"submitted":15},
      "items":[{"id":"a"},{"id":"b"},{"id":"c"}]})");
  EXPECT_EQ(job_list_json(page, JobListRequest{"", 5, 12}),
            R"({"displayed_jobs":3,"filter_applied":false,"jobs":[{"id":"a"},{"id":"b"},)"
            R"({"id":"c"}],"limit_applied":true,"offset_applied":12,)"
            R"("status_counts":{"submitted":15},"total_jobs":15})");
  EXPECT_TRUE(
      has(job_list_json(page, JobListRequest{"failed", 0, 0}), R"("filter_applied":true,"jobs")"));
  EXPECT_TRUE(has(job_list_json(page, JobListRequest{"failed", 0, 0}), R"("limit_applied":false)"));
}

TEST(JobViews, DetailBlocksAndTables) {
  const Json job = parse(R"({"id":"j1","status":"completed","hostname":"web-01",
      "created":"2026-02-26T22:41:07Z","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",
      "operation":{"type":"node.hostname.get","data":{}},
      "responses":{"web-01":{"status":"completed","data":{"hostname":"web-01"}}},
      "agent_states":{"web-01":{"status":"completed","duration":"3ms"},
                      "web-02":{"status":"failed","error":"boom"}},
      "timeline":[{"timestamp":"t1","event":"submitted","message":"job submitted"}],
      "result":{"hostname":"web-01"}})");
  const std::string out = view_job_detail(job, kPlain);
  for (const char* part :
       {"  Job ID: j1              Status: completed\n", "  Hostname: web-01\n",
        "  Trace ID: 4bf92f3577b34da6a3ce929d0e0e4736\n",
        "  Agents: 2 total (1 completed, 1 failed, 0 processing)\n",
        "\n  Job Request:\n  {\n    \"type\": \"node.hostname.get\",\n",
        "  Agent Responses:\n  HOSTNAME  STATUS     DATA                   ERROR\n"
        "  web-01    completed  {\"hostname\":\"web-01\"}\n",
        "  Agent States:\n", "  web-02    failed     ", "  Timeline:\n",
        "  t1         submitted            job submitted\n", "\n  Job Result:\n"})
    EXPECT_TRUE(has(out, part)) << part << "\n" << out;
  EXPECT_TRUE(has(view_job_detail(parse(R"({"id":"x","status":"submitted"})"), kPlain),
                  "  Timeline:\n  TIMESTAMP  EVENT  HOSTNAME  MESSAGE  ERROR\n  No events\n"));
}

TEST(JobViews, Created) {
  EXPECT_EQ(view_job_created(parse(R"({"job_id":"j2","status":"submitted","revision":7})"), kPlain),
            "\n  Job ID: j2              Status: submitted\n  Revision: 7\n");
}

TEST(AuditViews, ListAndGet) {
  const Json list =
      parse(R"({"total_items":1,"items":[{"id":"0190","timestamp":"2026-02-26T22:41:07.5Z",
      "user":"ops@x","roles":["admin"],"method":"GET","path":"/api/agent","operation_id":"getAgents",
      "source_ip":"127.0.0.1","response_code":200,"duration_ms":4,"trace_id":"abc"}]})");
  EXPECT_TRUE(has(view_audit_list(list, kPlain),
                  "  Audit Entries:\n"
                  "  ID    TIMESTAMP            USER   METHOD  PATH        STATUS  DURATION  "
                  "TRACE ID\n"
                  "  0190  2026-02-26 22:41:07  ops@x  GET     /api/agent  200     4ms       "
                  "abc\n"));
  EXPECT_TRUE(has(view_audit_list(parse(R"({"total_items":0,"items":[]})"), kPlain),
                  "  Total: 0\n  No audit entries found.\n"));
  const Json get = parse(R"({"entry":{"id":"0190","timestamp":"t","user":"ops@x",
      "roles":["admin","read"],"method":"GET","path":"/api/agent","operation_id":"getAgents",
      "source_ip":"127.0.0.1","response_code":200,"duration_ms":4,"trace_id":"abc"}})");
  const std::string out = view_audit_get(get, kPlain);
  for (const char* line : {"  Roles: admin, read\n", "  Operation: getAgents\n",
                           "  Trace ID: abc\n", "  Source IP: 127.0.0.1\n"})
    EXPECT_TRUE(has(out, line)) << line << "\n" << out;
}

TEST(Views, BodiesOfTheWrongShapeRenderWithoutThrowing) {
  for (const char* text : {"null", "[]", "\"x\"", R"({"results":"nope"})",
                           R"({"results":[1,"x",{"hostname":5,"disks":"no"}]})",
                           R"({"registry":{},"components":[],"agents":{}})"}) {
    const Json body = parse(text);
    EXPECT_NO_THROW({
      view_host_status(body, kPlain);
      view_node_disk(body, kPlain);
      view_node_status(body, true, kPlain);
      view_command(body, kPlain);
      view_command_raw(body, true, true, kPlain);
      view_health_status(body, kPlain);
      view_agent_list(body, kPlain, Clock::now());
      view_agent_get(body, kPlain, Clock::now());
      view_job_list(body, JobListRequest{}, kPlain);
      job_list_json(body, JobListRequest{});
      view_job_detail(body, kPlain);
      view_audit_list(body, kPlain);
    }) << text;
  }
}

}  // namespace
}  // namespace osapi::cli
