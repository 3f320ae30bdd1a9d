// Typed configuration: one struct tree mirroring the YAML keys (controller.*, agent.*, nats.*,
// telemetry.*). Every field holds its built-in default, so a default-constructed Config is
// valid. docs/configuration.md lists every key.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace osapi::config {

using Duration = std::chrono::nanoseconds;
using namespace std::chrono_literals;

struct NatsAuth {
  std::string type = "none";  // none | user_pass | nkey
  std::string username;
  std::string password;
  std::string nkey_file;
};

struct NatsClient {
  std::string host = "localhost";
  int port = 4222;
  std::string client_name;
  std::string namespace_;  // YAML key "namespace"
  NatsAuth auth;
};

inline NatsClient nats_client_named(std::string name) {
  NatsClient c;
  c.client_name = std::move(name);
  return c;
}

struct Role {
  std::vector<std::string> permissions;
};

// A metrics/health server of one component (GET /metrics, /health, /health/ready).
struct MetricsServer {
  bool enabled = true;
  std::string host = "0.0.0.0";
  int port = 0;
};

inline MetricsServer metrics_on(int port) {
  MetricsServer m;
  m.port = port;
  return m;
}

struct ControllerClient {
  std::string url = "http://0.0.0.0:8080";
  std::string bearer_token;  // controller.client.security.bearer_token
};

struct ControllerApi {
  int port = 8080;
  std::string signing_key;                      // controller.api.security.signing_key
  std::vector<std::string> cors_allow_origins;  // controller.api.security.cors.allow_origins
  std::map<std::string, Role> roles;            // controller.api.security.roles
  Duration job_timeout = 30s;                   // wait for agent responses
};

struct Notifications {
  bool enabled = true;
  std::string notifier = "log";
  Duration renotify_interval = 5min;
};

struct ControllerPki {
  bool enabled = false;
  std::string key_dir = "/etc/osapi/pki";
  bool auto_accept = false;
  Duration rotation_grace_period = 24h;
};

// The audit log's local spool: entries wait there while NATS cannot take them (docs/audit.md).
struct ControllerAudit {
  std::string spool_dir = "/var/lib/osapi/audit-spool";  // controller.audit.spool_dir
};

struct Controller {
  ControllerClient client;
  ControllerApi api;
  NatsClient nats = nats_client_named("osapi-api");
  MetricsServer metrics = metrics_on(9090);
  Notifications notifications;
  bool ui_enabled = true;  // controller.ui.enabled
  ControllerPki pki;
  ControllerAudit audit;
};

struct ServerUser {
  std::string username;
  std::string password;
};

struct NatsServer {
  std::string host = "localhost";
  int port = 4222;
  std::string store_dir = ".nats/jetstream/";
  std::string namespace_;
  std::string auth_type = "none";       // nats.server.auth.type
  std::vector<ServerUser> auth_users;   // nats.server.auth.users
  std::vector<std::string> auth_nkeys;  // nats.server.auth.nkeys
  MetricsServer metrics = metrics_on(9092);
  std::string bin = "nats-server";
  int monitor_port = 0;
};

struct StreamConfig {
  std::string name = "JOBS";
  std::string subjects = "jobs.>";
  Duration max_age = 24h;
  long long max_msgs = 10000;
  // No YAML key: a bound of our own so the stream never grows without limit.
  long long max_bytes = 67108864;  // 64 MiB
  std::string storage = "file";
  int replicas = 1;
  // "new": a full stream refuses new notifications (the submission answers 503) instead of
  // discarding the oldest ones, which would drop jobs that were already accepted.
  std::string discard = "new";
};

struct KvConfig {
  std::string bucket = "job-queue";
  std::string response_bucket = "job-responses";
  Duration ttl = 1h;
  long long max_bytes = 104857600;
  std::string storage = "file";
  int replicas = 1;
};

struct DlqConfig {
  Duration max_age = 168h;
  long long max_msgs = 1000;
  long long max_bytes = 16777216;  // 16 MiB; no YAML key
  std::string storage = "file";
  int replicas = 1;
};

// The audit log is a JetStream stream; an empty `stream` disables auditing.
struct AuditConfig {
  std::string stream = "AUDIT";
  std::string subject = "audit";
  Duration max_age = 720h;
  long long max_bytes = 52428800;
  std::string storage = "file";
  int replicas = 1;
};

struct RegistryConfig {
  std::string bucket = "agent-registry";
  Duration ttl = 30s;
  long long max_bytes = 67108864;  // 64 MiB; no YAML key
  std::string storage = "file";
  int replicas = 1;
};

// A KV bucket (or object store) with its storage settings; `ttl` 0 = no expiry.
struct BucketConfig {
  std::string bucket;
  Duration ttl = Duration(0);
  // Objects: nats.objects.max_bytes. The KV buckets have no YAML key for it; their built-in
  // bounds are set below. 0 = unbounded (never a default).
  long long max_bytes = 0;
  std::string storage = "file";
  int replicas = 1;
};

inline BucketConfig bucket_named(std::string name, Duration ttl = Duration(0),
                                 long long max_bytes = 0) {
  BucketConfig b;
  b.bucket = std::move(name);
  b.ttl = ttl;
  b.max_bytes = max_bytes;
  return b;
}

struct Nats {
  NatsServer server;
  StreamConfig stream;
  KvConfig kv;
  DlqConfig dlq;
  AuditConfig audit;
  RegistryConfig registry;
  BucketConfig facts = bucket_named("agent-facts", 5min, 67108864);  // 64 MiB
  BucketConfig state = bucket_named("agent-state", Duration(0), 67108864);
  BucketConfig objects = bucket_named("file-objects", Duration(0), 10737418240LL);
  BucketConfig file_state = bucket_named("file-state", Duration(0), 67108864);
  BucketConfig enrollment = bucket_named("agent-enrollment", Duration(0), 16777216);  // 16 MiB
};

struct BatchConfig {
  long long max_queue_size = 2048;
  long long max_export_batch_size = 512;
  Duration schedule_delay = 5s;
  Duration export_timeout = 10s;
};

struct Tracing {
  bool enabled = false;
  std::string exporter;  // "" | none | stdout | otlp
  std::string otlp_endpoint;
  std::string otlp_protocol = "grpc";  // grpc | http/protobuf
  bool otlp_insecure = true;
  std::string otlp_ca_file;
  std::string otlp_client_cert_file;
  std::string otlp_client_key_file;
  std::map<std::string, std::string> otlp_headers;
  std::string sampler = "always_on";  // always_on | always_off | traceidratio
  double sampler_ratio = 1.0;
  BatchConfig batch;
};

struct Telemetry {
  Tracing tracing;
};

struct Consumer {
  std::string name = "jobs-agent";
  int max_deliver = 5;
  Duration ack_wait = 2min;
  int max_ack_pending = 1000;
  std::string replay_policy = "instant";
  std::vector<Duration> back_off = {30s, 2min, 5min, 15min, 30min};
};

struct Conditions {
  int memory_pressure_threshold = 90;  // percent of memory used
  double high_load_multiplier = 2.0;   // load1 > cpu_count × this
  int disk_pressure_threshold = 90;    // percent of a mount used
};

struct ProcessConditions {
  long long memory_pressure_bytes = 0;  // 0 = not evaluated
  double high_cpu_percent = 0;          // 0 = not evaluated
};

struct AgentPki {
  bool enabled = false;
  std::string key_dir = "/etc/osapi/pki";
};

struct Agent {
  NatsClient nats = nats_client_named("osapi-agent");
  Consumer consumer;
  Duration facts_interval = 60s;  // agent.facts.interval
  std::string queue_group = "job-agents";
  std::string hostname;
  std::string machine_id_file = "/etc/machine-id";  // the agent's identity
  int max_jobs = 10;
  std::map<std::string, std::string> labels;
  Conditions conditions;
  ProcessConditions process_conditions;
  bool privilege_escalation = false;  // agent.privilege_escalation.enabled
  AgentPki pki;
  MetricsServer metrics = metrics_on(9091);
};

struct Config {
  std::string osapi_file = "/etc/osapi/osapi.yaml";
  bool debug = false;
  Controller controller;
  Nats nats;
  Telemetry telemetry;
  Agent agent;
};

// Prefix an infrastructure name with "<ns>-" (empty ns: unchanged).
std::string ns_name(const std::string& ns, const std::string& name);
// Prefix a subject with "<ns>." (empty ns: unchanged).
std::string ns_subject(const std::string& ns, const std::string& subject);

}  // namespace osapi::config
