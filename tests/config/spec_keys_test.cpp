// Every key of upstream OSAPI's configuration that we implement: its built-in default, its OSAPI_*
// env override, and the keys we add beyond upstream. The expected defaults are written here
// from the spec table (code default, else the shipped configs/osapi.yaml value), not derived
// from src/config, so a changed default or a dropped key shows up as a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "config/loader.h"
#include "test_util.h"

namespace osapi::config {
namespace {

using test::Fixture;

struct SpecKey {
  const char* key;
  const char* env;
  const char* default_text;  // as a config value: what an unset key behaves like
  const char* other_text;    // a valid value different from the default
};

// Upstream's 118 keys without the three map/list members (roles.<name>.permissions,
// nats.server.auth.users[].username/password),
// which have no env override and no default of their own. Where our default differs from the
// shipped file, it is our decision (docs/configuration.md) and marked so.
const SpecKey kSpecKeys[] = {
    {"controller.client.url", "OSAPI_CONTROLLER_CLIENT_URL", "http://0.0.0.0:8080",
     "http://10.0.0.1:9000"},
    {"controller.client.security.bearer_token", "OSAPI_CONTROLLER_CLIENT_SECURITY_BEARER_TOKEN", "",
     "tok"},
    {"controller.api.port", "OSAPI_CONTROLLER_API_PORT", "8080", "8081"},
    {"controller.api.security.cors.allow_origins",
     "OSAPI_CONTROLLER_API_SECURITY_CORS_ALLOW_ORIGINS", "[]", "http://a, http://b"},
    {"controller.api.security.signing_key", "OSAPI_CONTROLLER_API_SECURITY_SIGNING_KEY", "", "k"},
    {"controller.api.security.roles", "OSAPI_CONTROLLER_API_SECURITY_ROLES", "{}",
     "{ops: {permissions: [node:read]}}"},
    {"controller.api.job_timeout", "OSAPI_CONTROLLER_API_JOB_TIMEOUT", "30s", "45s"},
    {"controller.nats.host", "OSAPI_CONTROLLER_NATS_HOST", "localhost", "nats.example"},
    {"controller.nats.port", "OSAPI_CONTROLLER_NATS_PORT", "4222", "4223"},
    {"controller.nats.client_name", "OSAPI_CONTROLLER_NATS_CLIENT_NAME", "osapi-api", "c1"},
    // Decision: the three namespaces default to empty (shipped `osapi`).
    {"controller.nats.namespace", "OSAPI_CONTROLLER_NATS_NAMESPACE", "", "tenant"},
    {"controller.nats.auth.type", "OSAPI_CONTROLLER_NATS_AUTH_TYPE", "none", "user_pass"},
    {"controller.nats.auth.username", "OSAPI_CONTROLLER_NATS_AUTH_USERNAME", "", "u"},
    {"controller.nats.auth.password", "OSAPI_CONTROLLER_NATS_AUTH_PASSWORD", "", "p"},
    {"controller.nats.auth.nkey_file", "OSAPI_CONTROLLER_NATS_AUTH_NKEY_FILE", "",
     "/etc/osapi/nkey"},
    {"controller.metrics.enabled", "OSAPI_CONTROLLER_METRICS_ENABLED", "true", "false"},
    {"controller.metrics.host", "OSAPI_CONTROLLER_METRICS_HOST", "0.0.0.0", "127.0.0.1"},
    {"controller.metrics.port", "OSAPI_CONTROLLER_METRICS_PORT", "9090", "9190"},
    {"controller.notifications.enabled", "OSAPI_CONTROLLER_NOTIFICATIONS_ENABLED", "true", "false"},
    {"controller.notifications.notifier", "OSAPI_CONTROLLER_NOTIFICATIONS_NOTIFIER", "log",
     "webhook"},
    {"controller.notifications.renotify_interval",
     "OSAPI_CONTROLLER_NOTIFICATIONS_RENOTIFY_INTERVAL", "5m", "10m"},
    {"controller.ui.enabled", "OSAPI_CONTROLLER_UI_ENABLED", "true", "false"},
    {"controller.pki.enabled", "OSAPI_CONTROLLER_PKI_ENABLED", "false", "true"},
    {"controller.pki.key_dir", "OSAPI_CONTROLLER_PKI_KEY_DIR", "/etc/osapi/pki",
     "/var/lib/osapi/pki"},
    {"controller.pki.auto_accept", "OSAPI_CONTROLLER_PKI_AUTO_ACCEPT", "false", "true"},
    {"controller.pki.rotation_grace_period", "OSAPI_CONTROLLER_PKI_ROTATION_GRACE_PERIOD", "24h",
     "48h"},
    {"agent.nats.host", "OSAPI_AGENT_NATS_HOST", "localhost", "nats.example"},
    {"agent.nats.port", "OSAPI_AGENT_NATS_PORT", "4222", "4223"},
    {"agent.nats.client_name", "OSAPI_AGENT_NATS_CLIENT_NAME", "osapi-agent", "a1"},
    // Decision: empty, as controller.nats.namespace.
    {"agent.nats.namespace", "OSAPI_AGENT_NATS_NAMESPACE", "", "tenant"},
    {"agent.nats.auth.type", "OSAPI_AGENT_NATS_AUTH_TYPE", "none", "nkey"},
    {"agent.nats.auth.username", "OSAPI_AGENT_NATS_AUTH_USERNAME", "", "u"},
    {"agent.nats.auth.password", "OSAPI_AGENT_NATS_AUTH_PASSWORD", "", "p"},
    {"agent.nats.auth.nkey_file", "OSAPI_AGENT_NATS_AUTH_NKEY_FILE", "", "/etc/osapi/nkey"},
    {"agent.consumer.name", "OSAPI_AGENT_CONSUMER_NAME", "jobs-agent", "jobs-agent-2"},
    {"agent.consumer.max_deliver", "OSAPI_AGENT_CONSUMER_MAX_DELIVER", "5", "7"},
    {"agent.consumer.ack_wait", "OSAPI_AGENT_CONSUMER_ACK_WAIT", "2m", "3m"},
    {"agent.consumer.max_ack_pending", "OSAPI_AGENT_CONSUMER_MAX_ACK_PENDING", "1000", "50"},
    {"agent.consumer.replay_policy", "OSAPI_AGENT_CONSUMER_REPLAY_POLICY", "instant", "original"},
    {"agent.consumer.back_off", "OSAPI_AGENT_CONSUMER_BACK_OFF", "[30s, 2m, 5m, 15m, 30m]",
     "1s,2s"},
    {"agent.facts.interval", "OSAPI_AGENT_FACTS_INTERVAL", "60s", "2m"},
    {"agent.queue_group", "OSAPI_AGENT_QUEUE_GROUP", "job-agents", "q2"},
    {"agent.hostname", "OSAPI_AGENT_HOSTNAME", "", "h1"},
    {"agent.max_jobs", "OSAPI_AGENT_MAX_JOBS", "10", "3"},
    // Decision: no labels by default (shipped `{group: web.dev.us-east}`).
    {"agent.labels", "OSAPI_AGENT_LABELS", "{}", "{group: web}"},
    {"agent.conditions.memory_pressure_threshold",
     "OSAPI_AGENT_CONDITIONS_MEMORY_PRESSURE_THRESHOLD", "90", "80"},
    {"agent.conditions.high_load_multiplier", "OSAPI_AGENT_CONDITIONS_HIGH_LOAD_MULTIPLIER", "2.0",
     "3.5"},
    {"agent.conditions.disk_pressure_threshold", "OSAPI_AGENT_CONDITIONS_DISK_PRESSURE_THRESHOLD",
     "90", "85"},
    {"agent.process_conditions.memory_pressure_bytes",
     "OSAPI_AGENT_PROCESS_CONDITIONS_MEMORY_PRESSURE_BYTES", "0", "1048576"},
    {"agent.process_conditions.high_cpu_percent", "OSAPI_AGENT_PROCESS_CONDITIONS_HIGH_CPU_PERCENT",
     "0", "50"},
    {"agent.privilege_escalation.enabled", "OSAPI_AGENT_PRIVILEGE_ESCALATION_ENABLED", "false",
     "true"},
    {"agent.pki.enabled", "OSAPI_AGENT_PKI_ENABLED", "false", "true"},
    {"agent.pki.key_dir", "OSAPI_AGENT_PKI_KEY_DIR", "/etc/osapi/pki", "/var/lib/osapi/pki"},
    {"agent.metrics.enabled", "OSAPI_AGENT_METRICS_ENABLED", "true", "false"},
    {"agent.metrics.host", "OSAPI_AGENT_METRICS_HOST", "0.0.0.0", "127.0.0.1"},
    {"agent.metrics.port", "OSAPI_AGENT_METRICS_PORT", "9091", "9191"},
    {"nats.server.host", "OSAPI_NATS_SERVER_HOST", "localhost", "0.0.0.0"},
    {"nats.server.port", "OSAPI_NATS_SERVER_PORT", "4222", "4333"},
    {"nats.server.store_dir", "OSAPI_NATS_SERVER_STORE_DIR", ".nats/jetstream/", "/var/lib/nats"},
    // Decision: empty, as controller.nats.namespace.
    {"nats.server.namespace", "OSAPI_NATS_SERVER_NAMESPACE", "", "tenant"},
    {"nats.server.auth.type", "OSAPI_NATS_SERVER_AUTH_TYPE", "none", "user_pass"},
    {"nats.server.auth.users", "OSAPI_NATS_SERVER_AUTH_USERS", "[]",
     "[{username: a, password: b}]"},
    {"nats.server.auth.nkeys", "OSAPI_NATS_SERVER_AUTH_NKEYS", "[]", "[UABC]"},
    {"nats.server.metrics.enabled", "OSAPI_NATS_SERVER_METRICS_ENABLED", "true", "false"},
    {"nats.server.metrics.host", "OSAPI_NATS_SERVER_METRICS_HOST", "0.0.0.0", "127.0.0.1"},
    {"nats.server.metrics.port", "OSAPI_NATS_SERVER_METRICS_PORT", "9092", "9192"},
    {"nats.stream.name", "OSAPI_NATS_STREAM_NAME", "JOBS", "JOBS2"},
    {"nats.stream.subjects", "OSAPI_NATS_STREAM_SUBJECTS", "jobs.>", "work.>"},
    {"nats.stream.max_age", "OSAPI_NATS_STREAM_MAX_AGE", "24h", "12h"},
    {"nats.stream.max_msgs", "OSAPI_NATS_STREAM_MAX_MSGS", "10000", "5"},
    {"nats.stream.storage", "OSAPI_NATS_STREAM_STORAGE", "file", "memory"},
    {"nats.stream.replicas", "OSAPI_NATS_STREAM_REPLICAS", "1", "3"},
    // Decision: "new", so a burst past max_msgs is refused instead of dropping accepted jobs.
    {"nats.stream.discard", "OSAPI_NATS_STREAM_DISCARD", "new", "old"},
    {"nats.kv.bucket", "OSAPI_NATS_KV_BUCKET", "job-queue", "jq2"},
    {"nats.kv.response_bucket", "OSAPI_NATS_KV_RESPONSE_BUCKET", "job-responses", "jr2"},
    {"nats.kv.ttl", "OSAPI_NATS_KV_TTL", "1h", "2h"},
    {"nats.kv.max_bytes", "OSAPI_NATS_KV_MAX_BYTES", "104857600", "1024"},
    {"nats.kv.storage", "OSAPI_NATS_KV_STORAGE", "file", "memory"},
    {"nats.kv.replicas", "OSAPI_NATS_KV_REPLICAS", "1", "3"},
    {"nats.dlq.max_age", "OSAPI_NATS_DLQ_MAX_AGE", "168h", "1d"},
    {"nats.dlq.max_msgs", "OSAPI_NATS_DLQ_MAX_MSGS", "1000", "10"},
    {"nats.dlq.storage", "OSAPI_NATS_DLQ_STORAGE", "file", "memory"},
    {"nats.dlq.replicas", "OSAPI_NATS_DLQ_REPLICAS", "1", "3"},
    {"nats.audit.stream", "OSAPI_NATS_AUDIT_STREAM", "AUDIT", "AUDIT2"},
    {"nats.audit.subject", "OSAPI_NATS_AUDIT_SUBJECT", "audit", "audit2"},
    {"nats.audit.max_age", "OSAPI_NATS_AUDIT_MAX_AGE", "720h", "24h"},
    {"nats.audit.max_bytes", "OSAPI_NATS_AUDIT_MAX_BYTES", "52428800", "1024"},
    {"nats.audit.storage", "OSAPI_NATS_AUDIT_STORAGE", "file", "memory"},
    {"nats.audit.replicas", "OSAPI_NATS_AUDIT_REPLICAS", "1", "3"},
    {"nats.registry.bucket", "OSAPI_NATS_REGISTRY_BUCKET", "agent-registry", "reg2"},
    {"nats.registry.ttl", "OSAPI_NATS_REGISTRY_TTL", "30s", "1m"},
    {"nats.registry.storage", "OSAPI_NATS_REGISTRY_STORAGE", "file", "memory"},
    {"nats.registry.replicas", "OSAPI_NATS_REGISTRY_REPLICAS", "1", "3"},
    {"nats.facts.bucket", "OSAPI_NATS_FACTS_BUCKET", "agent-facts", "facts2"},
    {"nats.facts.ttl", "OSAPI_NATS_FACTS_TTL", "5m", "10m"},
    {"nats.facts.storage", "OSAPI_NATS_FACTS_STORAGE", "file", "memory"},
    {"nats.facts.replicas", "OSAPI_NATS_FACTS_REPLICAS", "1", "3"},
    {"nats.state.bucket", "OSAPI_NATS_STATE_BUCKET", "agent-state", "state2"},
    {"nats.state.storage", "OSAPI_NATS_STATE_STORAGE", "file", "memory"},
    {"nats.state.replicas", "OSAPI_NATS_STATE_REPLICAS", "1", "3"},
    {"nats.objects.bucket", "OSAPI_NATS_OBJECTS_BUCKET", "file-objects", "objects2"},
    {"nats.objects.max_bytes", "OSAPI_NATS_OBJECTS_MAX_BYTES", "10737418240", "1024"},
    {"nats.objects.storage", "OSAPI_NATS_OBJECTS_STORAGE", "file", "memory"},
    {"nats.objects.replicas", "OSAPI_NATS_OBJECTS_REPLICAS", "1", "3"},
    {"nats.file_state.bucket", "OSAPI_NATS_FILE_STATE_BUCKET", "file-state", "fs2"},
    {"nats.file_state.storage", "OSAPI_NATS_FILE_STATE_STORAGE", "file", "memory"},
    {"nats.file_state.replicas", "OSAPI_NATS_FILE_STATE_REPLICAS", "1", "3"},
    {"nats.enrollment.bucket", "OSAPI_NATS_ENROLLMENT_BUCKET", "agent-enrollment", "enroll2"},
    {"nats.enrollment.storage", "OSAPI_NATS_ENROLLMENT_STORAGE", "file", "memory"},
    {"nats.enrollment.replicas", "OSAPI_NATS_ENROLLMENT_REPLICAS", "1", "3"},
    // Decision: tracing and debug are off by default (shipped `true`).
    {"telemetry.tracing.enabled", "OSAPI_TELEMETRY_TRACING_ENABLED", "false", "true"},
    {"telemetry.tracing.exporter", "OSAPI_TELEMETRY_TRACING_EXPORTER", "", "stdout"},
    {"telemetry.tracing.otlp_endpoint", "OSAPI_TELEMETRY_TRACING_OTLP_ENDPOINT", "",
     "localhost:4317"},
    // Decision: off, as telemetry.tracing.enabled.
    {"debug", "OSAPI_DEBUG", "false", "true"},
    // The --osapi-file flag default; the variable picks the file (loader_test).
    {"osapiFile", "OSAPI_OSAPIFILE", "/etc/osapi/osapi.yaml", ""},
};

// Keys we implement beyond upstream: the broker binary, the OTLP and sampler options, and
// where the agent reads its machine id.
const SpecKey kExtraKeys[] = {
    {"controller.audit.spool_dir", "OSAPI_CONTROLLER_AUDIT_SPOOL_DIR", "/var/lib/osapi/audit-spool",
     "/tmp/spool"},
    {"agent.machine_id_file", "OSAPI_AGENT_MACHINE_ID_FILE", "/etc/machine-id", "/tmp/mid"},
    {"nats.server.bin", "OSAPI_NATS_SERVER_BIN", "nats-server", "/opt/nats-server"},
    {"nats.server.monitor_port", "OSAPI_NATS_SERVER_MONITOR_PORT", "0", "8222"},
    {"telemetry.tracing.otlp_protocol", "OSAPI_TELEMETRY_TRACING_OTLP_PROTOCOL", "grpc",
     "http/protobuf"},
    {"telemetry.tracing.otlp_insecure", "OSAPI_TELEMETRY_TRACING_OTLP_INSECURE", "true", "false"},
    {"telemetry.tracing.otlp_ca_file", "OSAPI_TELEMETRY_TRACING_OTLP_CA_FILE", "", "/ca.pem"},
    {"telemetry.tracing.otlp_client_cert_file", "OSAPI_TELEMETRY_TRACING_OTLP_CLIENT_CERT_FILE", "",
     "/c.pem"},
    {"telemetry.tracing.otlp_client_key_file", "OSAPI_TELEMETRY_TRACING_OTLP_CLIENT_KEY_FILE", "",
     "/k.pem"},
    {"telemetry.tracing.otlp_headers", "OSAPI_TELEMETRY_TRACING_OTLP_HEADERS", "{}", "a=b"},
    {"telemetry.tracing.sampler", "OSAPI_TELEMETRY_TRACING_SAMPLER", "always_on", "traceidratio"},
    {"telemetry.tracing.sampler_ratio", "OSAPI_TELEMETRY_TRACING_SAMPLER_RATIO", "1", "0.5"},
    {"telemetry.tracing.batch.max_queue_size", "OSAPI_TELEMETRY_TRACING_BATCH_MAX_QUEUE_SIZE",
     "2048", "100"},
    {"telemetry.tracing.batch.max_export_batch_size",
     "OSAPI_TELEMETRY_TRACING_BATCH_MAX_EXPORT_BATCH_SIZE", "512", "50"},
    {"telemetry.tracing.batch.schedule_delay", "OSAPI_TELEMETRY_TRACING_BATCH_SCHEDULE_DELAY", "5s",
     "1s"},
    {"telemetry.tracing.batch.export_timeout", "OSAPI_TELEMETRY_TRACING_BATCH_EXPORT_TIMEOUT",
     "10s", "2s"},
};

// The value of one key in the masked dump (secrets compare as "" or "****").
nlohmann::json value_of(const Config& cfg, const std::string& key) {
  const auto dump = nlohmann::json::parse(dump_masked(cfg));
  std::string pointer = "/" + key;
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  return dump.at(nlohmann::json::json_pointer(pointer));
}

void check_key(const SpecKey& k) {
  SCOPED_TRACE(k.key);
  const auto keys = known_keys();
  ASSERT_NE(std::find(keys.begin(), keys.end(), k.key), keys.end()) << "not a known key";
  EXPECT_EQ(env_var_for(k.key), k.env);
  if (std::string(k.key) == "osapiFile") {  // the env var picks the file (loader_test)
    EXPECT_EQ(Config{}.osapi_file, k.default_text);
    return;
  }
  Fixture f;
  // The built-in default is what the spec's default text means for this key...
  const nlohmann::json builtin = value_of(Config{}, k.key);
  Loaded as_default = f.must_load("", {{k.env, k.default_text}});
  ASSERT_TRUE(as_default.invalid.empty()) << as_default.invalid.front().reason;
  EXPECT_EQ(value_of(as_default.config, k.key), builtin)
      << "default is " << builtin.dump() << ", spec says " << k.default_text;
  // ...and the env var overrides it, with no file entry for the key.
  Loaded changed = f.must_load("", {{k.env, k.other_text}});
  ASSERT_TRUE(changed.invalid.empty()) << changed.invalid.front().reason;
  EXPECT_NE(value_of(changed.config, k.key), builtin) << k.env << "=" << k.other_text;
  // The same value from the file.
  std::string yaml, indent;
  const std::string key = k.key;
  size_t start = 0;
  for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    yaml += indent + key.substr(start, dot - start) + ":\n";
    indent += "  ";
    start = dot + 1;
  }
  yaml += indent + key.substr(start) + ": " + nlohmann::json(k.other_text).dump() + "\n";
  Loaded from_file = f.must_load(yaml);
  ASSERT_TRUE(from_file.invalid.empty()) << yaml << from_file.invalid.front().reason;
  EXPECT_TRUE(from_file.unknown_keys.empty()) << yaml;
  EXPECT_EQ(value_of(from_file.config, k.key), value_of(changed.config, k.key)) << yaml;
}

TEST(SpecKeys, EverySpecKeyHasItsDefaultAndEnvOverride) {
  for (const auto& k : kSpecKeys) check_key(k);
}

TEST(SpecKeys, ExtraKeysHaveTheirDefaultAndEnvOverride) {
  for (const auto& k : kExtraKeys) check_key(k);
}

TEST(SpecKeys, KnownKeysAreExactlyTheSpecKeysAndOurExtras) {
  std::set<std::string> want;
  for (const auto& k : kSpecKeys) EXPECT_TRUE(want.insert(k.key).second) << "twice: " << k.key;
  for (const auto& k : kExtraKeys) EXPECT_TRUE(want.insert(k.key).second) << "twice: " << k.key;
  EXPECT_EQ(std::size(kSpecKeys), 115u);  // 118 spec rows − 3 map/list members
  const auto keys = known_keys();
  const std::set<std::string> have(keys.begin(), keys.end());
  EXPECT_EQ(have.size(), keys.size()) << "a key is listed twice in the key table";
  for (const auto& k : have) EXPECT_TRUE(want.count(k)) << "not in the spec: " << k;
  for (const auto& k : want) EXPECT_TRUE(have.count(k)) << "not implemented: " << k;
}

// Rows 7, 64 and 65: members of map/list keys, set through their parent (also from env).
TEST(SpecKeys, MapAndListMembersComeWithTheirParent) {
  Fixture f;
  Loaded l = f.must_load(R"(
controller:
  api:
    security:
      roles:
        ops: {permissions: [node:read, health:read]}
nats:
  server:
    auth:
      users: [{username: a, password: b}]
)");
  EXPECT_TRUE(l.unknown_keys.empty());
  ASSERT_EQ(l.config.controller.api.roles.count("ops"), 1u);
  EXPECT_EQ(l.config.controller.api.roles.at("ops").permissions,
            (std::vector<std::string>{"node:read", "health:read"}));
  ASSERT_EQ(l.config.nats.server.auth_users.size(), 1u);
  EXPECT_EQ(l.config.nats.server.auth_users[0].username, "a");
  EXPECT_EQ(l.config.nats.server.auth_users[0].password, "b");
}

}  // namespace
}  // namespace osapi::config
