// Typed configuration: one struct tree mirroring the YAML keys of spec/config.md §3.
// Every field holds its built-in default, so a default-constructed Config is valid.
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

struct ApiClient {
  std::string url = "http://0.0.0.0:8080";
  std::string bearer_token;  // api.client.security.bearer_token
};

struct ApiServer {
  int port = 8080;
  NatsClient nats = nats_client_named("osapi-api");
  std::string signing_key;                      // api.server.security.signing_key
  std::vector<std::string> cors_allow_origins;  // api.server.security.cors.allow_origins
  std::map<std::string, Role> roles;            // api.server.security.roles
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
  std::string bin = "nats-server";
  int monitor_port = 0;
};

struct StreamConfig {
  std::string name = "JOBS";
  std::string subjects = "jobs.>";
  Duration max_age = 24h;
  long long max_msgs = 10000;
  std::string storage = "file";
  int replicas = 1;
  std::string discard = "old";
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
  std::string storage = "file";
  int replicas = 1;
};

struct AuditConfig {
  std::string bucket = "audit-log";
  Duration ttl = 720h;
  long long max_bytes = 52428800;
  std::string storage = "file";
  int replicas = 1;
};

struct RegistryConfig {
  std::string bucket = "agent-registry";
  Duration ttl = 30s;
  std::string storage = "file";
  int replicas = 1;
};

struct Nats {
  NatsServer server;
  StreamConfig stream;
  KvConfig kv;
  DlqConfig dlq;
  AuditConfig audit;
  RegistryConfig registry;
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
  std::string metrics_path = "/metrics";  // telemetry.metrics.path
};

struct Consumer {
  std::string name = "jobs-agent";
  int max_deliver = 5;
  Duration ack_wait = 2min;
  int max_ack_pending = 1000;
  std::string replay_policy = "instant";
  std::vector<Duration> back_off = {30s, 2min, 5min, 15min, 30min};
};

struct Agent {
  NatsClient nats = nats_client_named("osapi-node-agent");
  Consumer consumer;
  std::string queue_group = "job-agents";
  std::string hostname;
  int max_jobs = 10;
  std::map<std::string, std::string> labels;
};

struct Config {
  std::string osapi_file = "/etc/osapi/osapi.yaml";
  bool debug = false;
  ApiClient api_client;
  ApiServer api_server;
  Nats nats;
  Telemetry telemetry;
  Agent agent;  // node.agent
};

// Prefix an infrastructure name with "<ns>-" (empty ns: unchanged).
std::string ns_name(const std::string& ns, const std::string& name);
// Prefix a subject with "<ns>." (empty ns: unchanged).
std::string ns_subject(const std::string& ns, const std::string& subject);

}  // namespace osapi::config
