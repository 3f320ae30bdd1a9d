#include "config/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "test_util.h"

namespace osapi::config {
namespace {

using namespace std::chrono_literals;
using test::Fixture;

// The shipped upstream configs/osapi.yaml,
// placeholders replaced by a real key and token.
std::string reference_yaml() {
  return R"(debug: true
controller:
  client:
    url: http://0.0.0.0:8080
    security:
      bearer_token: )" +
         test::kToken + R"(
  api:
    port: 8080
    job_timeout: 30s
    security:
      signing_key: )" +
         test::kKey + R"(
      cors: {allow_origins: [http://localhost:3001, https://osapi-io.github.io]}
      # roles:
      #   ops: {permissions: [node:read, health:read, command:execute]}
  nats: {host: localhost, port: 4222, client_name: osapi-api, namespace: osapi, auth: {type: none}}
  metrics: {enabled: true, host: 0.0.0.0, port: 9090}
  notifications: {enabled: true, notifier: log, renotify_interval: 5m}
  ui: {enabled: true}
nats:
  server: {host: localhost, port: 4222, store_dir: .nats/jetstream/, namespace: osapi, auth: {type: none},
           metrics: {enabled: true, host: 0.0.0.0, port: 9092}}
  stream: {name: JOBS, subjects: "jobs.>", max_age: 24h, max_msgs: 10000, storage: file, replicas: 1, discard: old}
  kv: {bucket: job-queue, response_bucket: job-responses, ttl: 1h, max_bytes: 104857600, storage: file, replicas: 1}
  dlq: {max_age: 168h, max_msgs: 1000, storage: file, replicas: 1}
  audit: {stream: AUDIT, subject: audit, max_age: 720h, max_bytes: 52428800, storage: file, replicas: 1}
  registry: {bucket: agent-registry, ttl: 30s, storage: file, replicas: 1}
  facts: {bucket: agent-facts, ttl: 5m, storage: file, replicas: 1}
  state: {bucket: agent-state, storage: file, replicas: 1}
  objects: {bucket: file-objects, max_bytes: 10737418240, storage: file, replicas: 1}
  file_state: {bucket: file-state, storage: file, replicas: 1}
telemetry:
  tracing: {enabled: true}
agent:
  nats: {host: localhost, port: 4222, client_name: osapi-agent, namespace: osapi, auth: {type: none}}
  consumer: {name: jobs-agent, max_deliver: 5, ack_wait: 2m, max_ack_pending: 1000, replay_policy: instant,
             back_off: [30s, 2m, 5m, 15m, 30m]}
  facts: {interval: 60s}
  queue_group: job-agents
  hostname: ""
  max_jobs: 10
  labels: {group: web.dev.us-east}
  conditions: {memory_pressure_threshold: 90, high_load_multiplier: 2.0, disk_pressure_threshold: 90}
  process_conditions: {memory_pressure_bytes: 0, high_cpu_percent: 0}
  privilege_escalation: {enabled: false}
  metrics: {enabled: true, host: 0.0.0.0, port: 9091}
)";
}

TEST(Loader, EmptyFileGivesDefaults) {
  Fixture f;
  Loaded l = f.must_load("");
  const Config& c = l.config;
  EXPECT_EQ(l.path, f.dir.file("osapi.yaml"));
  EXPECT_EQ(c.osapi_file, l.path);
  EXPECT_TRUE(l.unknown_keys.empty());
  EXPECT_TRUE(l.invalid.empty());
  EXPECT_FALSE(c.debug);
  EXPECT_EQ(c.controller.client.url, "http://0.0.0.0:8080");
  EXPECT_EQ(c.controller.api.port, 8080);
  EXPECT_EQ(c.controller.api.job_timeout, 30s);
  EXPECT_EQ(c.controller.nats.client_name, "osapi-api");
  EXPECT_EQ(c.controller.metrics.port, 9090);
  EXPECT_EQ(c.agent.nats.client_name, "osapi-agent");
  EXPECT_EQ(c.agent.metrics.port, 9091);
  EXPECT_EQ(c.nats.server.metrics.port, 9092);
  EXPECT_EQ(c.nats.server.store_dir, ".nats/jetstream/");
  EXPECT_EQ(c.nats.dlq.max_age, 168h);
  EXPECT_EQ(c.nats.audit.stream, "AUDIT");
  EXPECT_EQ(c.nats.audit.subject, "audit");
  EXPECT_EQ(c.nats.audit.max_age, 720h);
  EXPECT_EQ(c.nats.registry.ttl, 30s);
  EXPECT_EQ(c.nats.enrollment.bucket, "agent-enrollment");
  EXPECT_FALSE(c.telemetry.tracing.enabled);
  EXPECT_EQ(c.telemetry.tracing.sampler, "always_on");
  EXPECT_EQ(c.agent.consumer.back_off.size(), 5u);
  EXPECT_TRUE(c.agent.labels.empty());
  EXPECT_TRUE(c.controller.api.cors_allow_origins.empty());
}

TEST(Loader, ReferenceFileLoadsUnchanged) {
  Fixture f;
  Loaded l = f.must_load(reference_yaml());
  EXPECT_TRUE(l.unknown_keys.empty()) << l.unknown_keys.front();
  EXPECT_TRUE(l.invalid.empty()) << l.invalid.front().key << ": " << l.invalid.front().reason;
  const Config& c = l.config;
  EXPECT_TRUE(c.debug);
  EXPECT_TRUE(c.telemetry.tracing.enabled);
  EXPECT_EQ(c.controller.client.bearer_token, test::kToken);
  EXPECT_EQ(c.controller.api.signing_key, test::kKey);
  EXPECT_EQ(c.controller.nats.namespace_, "osapi");
  EXPECT_EQ(c.nats.server.namespace_, "osapi");
  EXPECT_EQ(c.agent.nats.namespace_, "osapi");
  EXPECT_EQ(c.controller.api.cors_allow_origins,
            (std::vector<std::string>{"http://localhost:3001", "https://osapi-io.github.io"}));
  EXPECT_EQ(c.nats.stream.subjects, "jobs.>");
  EXPECT_EQ(c.nats.dlq.max_age, 168h);
  EXPECT_EQ(c.nats.kv.max_bytes, 104857600);
  EXPECT_EQ(c.nats.objects.max_bytes, 10737418240LL);
  EXPECT_EQ(c.nats.facts.ttl, 5min);
  EXPECT_EQ(c.agent.consumer.back_off, (std::vector<Duration>{30s, 2min, 5min, 15min, 30min}));
  EXPECT_EQ(c.agent.hostname, "");
  EXPECT_EQ(c.agent.labels.at("group"), "web.dev.us-east");
  EXPECT_DOUBLE_EQ(c.agent.conditions.high_load_multiplier, 2.0);
  EXPECT_FALSE(c.agent.privilege_escalation);
  for (auto cmd : test::kAllCommands) {
    EXPECT_TRUE(validate_for(l, cmd).ok()) << test::message(validate_for(l, cmd));
  }
}

TEST(Loader, FileValuesAndScalarConversion) {
  Fixture f;
  Loaded l = f.must_load(R"(
controller:
  api:
    port: "9000"
    job_timeout: 1m
  ui: {enabled: "false"}
nats:
  kv: {ttl: 2h, max_bytes: 1048576}
  dlq: {max_age: 1d12h}
  server: {monitor_port: 8222, bin: /usr/sbin/nats-server}
telemetry:
  tracing: {enabled: "true", otlp_insecure: 0, sampler: traceidratio, sampler_ratio: 0.25,
            batch: {max_queue_size: 100, schedule_delay: 500ms}}
agent:
  consumer: {back_off: "1s, 2s"}
  conditions: {high_load_multiplier: "1.5"}
)");
  const Config& c = l.config;
  EXPECT_TRUE(l.invalid.empty());
  EXPECT_EQ(c.controller.api.port, 9000);
  EXPECT_EQ(c.controller.api.job_timeout, 1min);
  EXPECT_FALSE(c.controller.ui_enabled);
  EXPECT_EQ(c.nats.kv.ttl, 2h);
  EXPECT_EQ(c.nats.kv.max_bytes, 1048576);
  EXPECT_EQ(c.nats.dlq.max_age, 36h);
  EXPECT_EQ(c.nats.server.monitor_port, 8222);
  EXPECT_EQ(c.nats.server.bin, "/usr/sbin/nats-server");
  EXPECT_TRUE(c.telemetry.tracing.enabled);
  EXPECT_FALSE(c.telemetry.tracing.otlp_insecure);
  EXPECT_EQ(c.telemetry.tracing.sampler, "traceidratio");
  EXPECT_DOUBLE_EQ(c.telemetry.tracing.sampler_ratio, 0.25);
  EXPECT_EQ(c.telemetry.tracing.batch.max_queue_size, 100);
  EXPECT_EQ(c.telemetry.tracing.batch.schedule_delay, 500ms);
  EXPECT_EQ(c.agent.consumer.back_off, (std::vector<Duration>{1s, 2s}));
  EXPECT_DOUBLE_EQ(c.agent.conditions.high_load_multiplier, 1.5);
}

TEST(Loader, SevenDaysIs168Hours) {
  Fixture f;
  Loaded l = f.must_load("nats:\n  dlq:\n    max_age: 7d\n");
  EXPECT_EQ(l.config.nats.dlq.max_age, 168h);
}

TEST(Loader, EnvOverridesKeysAbsentFromFile) {
  Fixture f;
  Loaded l = f.must_load(
      "controller:\n  client:\n    url: http://x\n",
      {
          {"OSAPI_CONTROLLER_API_PORT", "9095"},
          {"OSAPI_AGENT_LABELS", "{group: web}"},
          {"OSAPI_AGENT_CONSUMER_BACK_OFF", "30s,2m"},
          {"OSAPI_CONTROLLER_API_SECURITY_ROLES", "{ops: {permissions: [node:read, health:read]}}"},
          {"OSAPI_NATS_SERVER_AUTH_USERS", "[{username: a, password: b}, {username: c}]"},
          {"OSAPI_NATS_SERVER_AUTH_NKEYS", "[UABC, UDEF]"},
          {"OSAPI_CONTROLLER_API_SECURITY_CORS_ALLOW_ORIGINS", "http://a, http://b"},
          {"OSAPI_AGENT_NATS_CLIENT_NAME", "agent-7"},
          {"OSAPI_NATS_SERVER_BIN", "/opt/nats-server"},
          {"OSAPI_NATS_SERVER_MONITOR_PORT", "8222"},
          {"OSAPI_TELEMETRY_TRACING_BATCH_EXPORT_TIMEOUT", "3s"},
          {"OSAPI_CONTROLLER_METRICS_PORT", "9190"},
          {"OSAPI_NATS_AUDIT_MAX_AGE", "48h"},
          {"OSAPI_AGENT_FACTS_INTERVAL", "2m"},
          {"OSAPI_UNRELATED_THING", "ignored"},
      });
  const Config& c = l.config;
  EXPECT_TRUE(l.invalid.empty()) << l.invalid.front().source << ": " << l.invalid.front().reason;
  EXPECT_EQ(c.controller.client.url, "http://x");
  EXPECT_EQ(c.controller.api.port, 9095);
  EXPECT_EQ(c.agent.labels, (std::map<std::string, std::string>{{"group", "web"}}));
  EXPECT_EQ(c.agent.consumer.back_off, (std::vector<Duration>{30s, 2min}));
  ASSERT_EQ(c.controller.api.roles.count("ops"), 1u);
  EXPECT_EQ(c.controller.api.roles.at("ops").permissions,
            (std::vector<std::string>{"node:read", "health:read"}));
  ASSERT_EQ(c.nats.server.auth_users.size(), 2u);
  EXPECT_EQ(c.nats.server.auth_users[0].username, "a");
  EXPECT_EQ(c.nats.server.auth_users[0].password, "b");
  EXPECT_EQ(c.nats.server.auth_users[1].username, "c");
  EXPECT_EQ(c.nats.server.auth_nkeys, (std::vector<std::string>{"UABC", "UDEF"}));
  EXPECT_EQ(c.controller.api.cors_allow_origins,
            (std::vector<std::string>{"http://a", "http://b"}));
  EXPECT_EQ(c.agent.nats.client_name, "agent-7");
  EXPECT_EQ(c.nats.server.bin, "/opt/nats-server");
  EXPECT_EQ(c.nats.server.monitor_port, 8222);
  EXPECT_EQ(c.telemetry.tracing.batch.export_timeout, 3s);
  EXPECT_EQ(c.controller.metrics.port, 9190);
  EXPECT_EQ(c.nats.audit.max_age, 48h);
  EXPECT_EQ(c.agent.facts_interval, 2min);
}

TEST(Loader, OtlpHeadersEnvAcceptsFlowMapAndPairs) {
  Fixture f;
  Loaded a = f.must_load(
      "", {{"OSAPI_TELEMETRY_TRACING_OTLP_HEADERS", "{authorization: Bearer abc, x-team: t1}"}});
  EXPECT_EQ(
      a.config.telemetry.tracing.otlp_headers,
      (std::map<std::string, std::string>{{"authorization", "Bearer abc"}, {"x-team", "t1"}}));
  Loaded b = f.must_load(
      "", {{"OSAPI_TELEMETRY_TRACING_OTLP_HEADERS", "authorization=Bearer abc, x-team=t=1"}});
  EXPECT_EQ(
      b.config.telemetry.tracing.otlp_headers,
      (std::map<std::string, std::string>{{"authorization", "Bearer abc"}, {"x-team", "t=1"}}));
  Loaded c = f.must_load("", {{"OSAPI_TELEMETRY_TRACING_OTLP_HEADERS", "novalue"}});
  ASSERT_EQ(c.invalid.size(), 1u);
  EXPECT_EQ(c.invalid[0].source, "OSAPI_TELEMETRY_TRACING_OTLP_HEADERS");
}

TEST(Loader, FlagBeatsEnvBeatsFile) {
  Fixture f;
  const std::string yaml = "controller:\n  api:\n    port: 8081\n";
  EXPECT_EQ(f.must_load(yaml).config.controller.api.port, 8081);
  EXPECT_EQ(f.must_load(yaml, {{"OSAPI_CONTROLLER_API_PORT", "8082"}}).config.controller.api.port,
            8082);
  EXPECT_EQ(
      f.must_load(yaml, {{"OSAPI_CONTROLLER_API_PORT", "8082"}}, {{"controller.api.port", "8083"}})
          .config.controller.api.port,
      8083);
}

TEST(Loader, FlagWithUnknownKeyIsAKeyError) {
  Fixture f;
  Loaded l = f.must_load("", {}, {{"api.client.url", "http://x"}});
  ASSERT_EQ(l.invalid.size(), 1u);
  EXPECT_EQ(l.invalid[0].key, "api.client.url");
  EXPECT_EQ(l.invalid[0].reason, "unknown config key");
  EXPECT_EQ(l.config.controller.client.url, "http://0.0.0.0:8080");
  EXPECT_EQ(
      f.must_load("", {}, {{"controller.client.url", "http://x"}}).config.controller.client.url,
      "http://x");
}

TEST(Loader, ValidLaterLayerClearsEarlierError) {
  Fixture f;
  Loaded l =
      f.must_load("nats:\n  stream:\n    max_age: bogus\n", {{"OSAPI_NATS_STREAM_MAX_AGE", "12h"}});
  EXPECT_TRUE(l.invalid.empty());
  EXPECT_EQ(l.config.nats.stream.max_age, 12h);
}

TEST(Loader, SetButEmptyEnvSetsKeyEmpty) {
  Fixture f;
  Loaded l = f.must_load("nats:\n  audit:\n    stream: AUDIT\n",
                         {{"OSAPI_NATS_AUDIT_STREAM", ""}, {"OSAPI_AGENT_CONSUMER_BACK_OFF", ""}});
  EXPECT_TRUE(l.invalid.empty());
  EXPECT_EQ(l.config.nats.audit.stream, "");  // audit disabled
  EXPECT_TRUE(l.config.agent.consumer.back_off.empty());
}

TEST(Loader, BoolEnvValues) {
  Fixture f;
  EXPECT_TRUE(
      f.must_load("", {{"OSAPI_TELEMETRY_TRACING_ENABLED", "1"}}).config.telemetry.tracing.enabled);
  EXPECT_FALSE(f.must_load("", {{"OSAPI_TELEMETRY_TRACING_OTLP_INSECURE", "false"}})
                   .config.telemetry.tracing.otlp_insecure);
  EXPECT_FALSE(
      f.must_load("", {{"OSAPI_CONTROLLER_UI_ENABLED", "0"}}).config.controller.ui_enabled);
  Loaded bad = f.must_load("", {{"OSAPI_TELEMETRY_TRACING_ENABLED", "maybe"}});
  ASSERT_EQ(bad.invalid.size(), 1u);
  EXPECT_EQ(bad.invalid[0].key, "telemetry.tracing.enabled");
}

TEST(Loader, ConfigFilePathFromEnvThenDefault) {
  Fixture f;
  const std::string path = f.dir.write("other.yaml", "controller:\n  api:\n    port: 7000\n");
  LoadOptions opt;
  opt.env = {{"OSAPI_OSAPIFILE", path}};
  auto r = load(opt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->path, path);
  EXPECT_EQ(r->config.osapi_file, path);
  EXPECT_EQ(r->config.controller.api.port, 7000);

  LoadOptions flag_wins;
  flag_wins.path = f.dir.file("missing.yaml");
  flag_wins.env = opt.env;
  auto m = load(flag_wins);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message,
            "failed to read config " + f.dir.file("missing.yaml") + ": no such file or directory");
}

TEST(Loader, UnreadableAndInvalidYaml) {
  Fixture f;
  LoadOptions dir_opt;
  dir_opt.path = f.dir.path();
  auto d = load(dir_opt);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message.rfind("failed to read config " + f.dir.path() + ": ", 0), 0u);

  auto bad = f.load_yaml("controller:\n  api: {port: 8080\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind(
                "failed to read config " + f.dir.file("osapi.yaml") + ": yaml: line ", 0),
            0u)
      << bad.error().message;

  auto scalar = f.load_yaml("just a string\n");
  ASSERT_FALSE(scalar.ok());
  EXPECT_NE(scalar.error().message.find("failed to read config"), std::string::npos);
}

TEST(Loader, UnknownKeysAreListedWithFullPaths) {
  Fixture f;
  Loaded l = f.must_load(R"(
colour: blue
controller:
  api:
    prot: 1
    security:
      roles:
        ops: {permissions: [node:read], note: x}
nats:
  stream: {name: JOBS, extra: 1}
  audit: {stream: AUDIT, bukket: x}
agent:
  colour: green
)");
  EXPECT_EQ(l.unknown_keys,
            (std::vector<std::string>{"colour", "controller.api.prot",
                                      "controller.api.security.roles.ops.note", "nats.stream.extra",
                                      "nats.audit.bukket", "agent.colour"}));
  EXPECT_TRUE(l.invalid.empty());
}

TEST(Loader, NonMappingSectionIsAKeyError) {
  Fixture f;
  Loaded l = f.must_load("nats:\n  stream: bogus\n");
  ASSERT_EQ(l.invalid.size(), 1u);
  EXPECT_EQ(l.invalid[0].key, "nats.stream");
}

TEST(Loader, DebugForcesTracing) {
  Fixture f;
  EXPECT_TRUE(f.must_load("debug: true\ntelemetry:\n  tracing:\n    enabled: false\n")
                  .config.telemetry.tracing.enabled);
  EXPECT_TRUE(f.must_load("", {{"OSAPI_DEBUG", "true"}}).config.telemetry.tracing.enabled);
  EXPECT_TRUE(f.must_load("", {}, {{"debug", "true"}}).config.telemetry.tracing.enabled);
  Loaded off = f.must_load("debug: false\n");
  EXPECT_FALSE(off.config.telemetry.tracing.enabled);
  EXPECT_EQ(off.config.telemetry.tracing.exporter, "");  // debug never sets an exporter
}

TEST(Loader, EnvNameIsKeyUpperCasedWithUnderscores) {
  EXPECT_EQ(env_var_for("controller.api.port"), "OSAPI_CONTROLLER_API_PORT");
  EXPECT_EQ(env_var_for("agent.nats.client_name"), "OSAPI_AGENT_NATS_CLIENT_NAME");
  EXPECT_EQ(env_var_for("nats.file_state.bucket"), "OSAPI_NATS_FILE_STATE_BUCKET");
  EXPECT_EQ(env_var_for("osapiFile"), "OSAPI_OSAPIFILE");
}

TEST(Loader, EnvironmentSnapshotReadsEnviron) {
  ::setenv("OSAPI_CONFIG_TEST_SNAPSHOT", "a=b", 1);
  auto env = environment_snapshot();
  ::unsetenv("OSAPI_CONFIG_TEST_SNAPSHOT");
  EXPECT_EQ(env["OSAPI_CONFIG_TEST_SNAPSHOT"], "a=b");
}

TEST(Dump, MasksSecrets) {
  Fixture f;
  Loaded l = f.must_load(reference_yaml(),
                         {{"OSAPI_CONTROLLER_NATS_AUTH_PASSWORD", "natspw"},
                          {"OSAPI_AGENT_NATS_AUTH_PASSWORD", "agentpw"},
                          {"OSAPI_NATS_SERVER_AUTH_USERS", "[{username: u1, password: userpw}]"},
                          {"OSAPI_TELEMETRY_TRACING_OTLP_HEADERS", "x-honeycomb-team=hcsecret"}});
  const std::string dump = dump_masked(l.config);
  for (const std::string& secret :
       {test::kKey, test::kToken, std::string("natspw"), std::string("agentpw"),
        std::string("userpw"), std::string("hcsecret")}) {
    EXPECT_EQ(dump.find(secret), std::string::npos) << secret << " leaked: " << dump;
  }
  EXPECT_NE(dump.find("\"signing_key\":\"****\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"bearer_token\":\"****\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"x-honeycomb-team\":\"****\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"username\":\"u1\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"max_age\":\"168h0m0s\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"group\":\"web.dev.us-east\""), std::string::npos) << dump;
}

TEST(Dump, RoundTripsThroughTheLoader) {
  Fixture f;
  Loaded l = f.must_load(reference_yaml());
  Loaded again = f.must_load(dump_masked(l.config));
  EXPECT_TRUE(again.unknown_keys.empty());
  EXPECT_TRUE(again.invalid.empty());
  EXPECT_EQ(again.config.nats.dlq.max_age, 168h);
  EXPECT_EQ(again.config.nats.audit.stream, "AUDIT");
  EXPECT_EQ(again.config.agent.consumer.back_off, l.config.agent.consumer.back_off);
  EXPECT_EQ(again.config.agent.labels, l.config.agent.labels);
  EXPECT_EQ(again.config.controller.api.cors_allow_origins,
            l.config.controller.api.cors_allow_origins);
  EXPECT_EQ(dump_masked(again.config), dump_masked(l.config));
}

// Found by tests/fuzz/fuzz_config: a string that is not UTF-8 made the dump throw.
TEST(Dump, InvalidUtf8ValueDoesNotThrow) {
  Fixture f;
  Loaded l = f.must_load(
      "agent:\n  hostname: \"bad\xa0"
      "byte\"\n");
  std::string dump;
  EXPECT_NO_THROW(dump = dump_masked(l.config));
  EXPECT_NE(dump.find("bad"), std::string::npos) << dump;
}

}  // namespace
}  // namespace osapi::config
