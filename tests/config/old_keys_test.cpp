// Keys of the layout before the controller/agent split:
// in the file or as OSAPI_* variables they stop load() with one message naming the old key and
// its new name, instead of being silently ignored.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "test_util.h"

namespace osapi::config {
namespace {

using test::Fixture;

struct Rename {
  const char* from;
  const char* to;  // "" = removed
};

// Every rename of the move to the current layout (<name> of a custom role written as "x").
const Rename kRenames[] = {
    {"api.client.url", "controller.client.url"},
    {"api.client.security.bearer_token", "controller.client.security.bearer_token"},
    {"api.server.port", "controller.api.port"},
    {"api.server.nats.host", "controller.nats.host"},
    {"api.server.nats.port", "controller.nats.port"},
    {"api.server.nats.client_name", "controller.nats.client_name"},
    {"api.server.nats.namespace", "controller.nats.namespace"},
    {"api.server.nats.auth.type", "controller.nats.auth.type"},
    {"api.server.nats.auth.username", "controller.nats.auth.username"},
    {"api.server.nats.auth.password", "controller.nats.auth.password"},
    {"api.server.nats.auth.nkey_file", "controller.nats.auth.nkey_file"},
    {"api.server.security.cors.allow_origins", "controller.api.security.cors.allow_origins"},
    {"api.server.security.signing_key", "controller.api.security.signing_key"},
    {"api.server.security.roles", "controller.api.security.roles"},
    {"api.server.security.roles.x.permissions", "controller.api.security.roles.x.permissions"},
    {"node.agent.nats.host", "agent.nats.host"},
    {"node.agent.nats.port", "agent.nats.port"},
    {"node.agent.nats.client_name", "agent.nats.client_name"},
    {"node.agent.nats.namespace", "agent.nats.namespace"},
    {"node.agent.nats.auth.type", "agent.nats.auth.type"},
    {"node.agent.nats.auth.username", "agent.nats.auth.username"},
    {"node.agent.nats.auth.password", "agent.nats.auth.password"},
    {"node.agent.nats.auth.nkey_file", "agent.nats.auth.nkey_file"},
    {"node.agent.consumer.name", "agent.consumer.name"},
    {"node.agent.consumer.max_deliver", "agent.consumer.max_deliver"},
    {"node.agent.consumer.ack_wait", "agent.consumer.ack_wait"},
    {"node.agent.consumer.max_ack_pending", "agent.consumer.max_ack_pending"},
    {"node.agent.consumer.replay_policy", "agent.consumer.replay_policy"},
    {"node.agent.consumer.back_off", "agent.consumer.back_off"},
    {"node.agent.queue_group", "agent.queue_group"},
    {"node.agent.hostname", "agent.hostname"},
    {"node.agent.max_jobs", "agent.max_jobs"},
    {"node.agent.labels", "agent.labels"},
    {"nats.audit.bucket", "nats.audit.stream"},
    {"nats.audit.ttl", "nats.audit.max_age"},
    {"telemetry.metrics.path", ""},
};

const std::string kMetricsRemoved =
    " was removed: metrics are served by each component's own server (controller.metrics.*, "
    "agent.metrics.*, nats.server.metrics.*)";

// Block-style YAML setting the dotted `key` to `value`.
std::string yaml_for(const std::string& key, const std::string& value) {
  std::string yaml, indent;
  size_t start = 0;
  for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    yaml += indent + key.substr(start, dot - start) + ":\n";
    indent += "  ";
    start = dot + 1;
  }
  return yaml + indent + key.substr(start) + ": " + value + "\n";
}

// The load error, or "<loaded>".
std::string load_error(const Fixture& f, const std::string& yaml,
                       const std::map<std::string, std::string>& env = {}) {
  auto r = f.load_yaml(yaml, env);
  if (r.ok()) return "<loaded>";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}

size_t count(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t pos = s.find(part); pos != std::string::npos; pos = s.find(part, pos + 1)) ++n;
  return n;
}

TEST(OldKeys, TableCoversEveryRenamedPinKey) {
  EXPECT_EQ(std::size(kRenames), 36u);  // 35 renamed + 1 removed
  const auto keys = known_keys();
  for (const auto& r : kRenames) {
    const std::string to = r.to;
    if (to.empty() || to.find(".x.") != std::string::npos) continue;
    EXPECT_NE(std::find(keys.begin(), keys.end(), to), keys.end()) << to;
    EXPECT_EQ(std::find(keys.begin(), keys.end(), r.from), keys.end()) << r.from;
  }
}

TEST(OldKeys, EachOldKeyInTheFileStopsWithItsNewName) {
  Fixture f;
  const std::string file = f.dir.file("osapi.yaml");
  for (const auto& r : kRenames) {
    const std::string from = r.from;
    const std::string value =
        from.ends_with(".permissions") ? "[node:read]" : (from == "nats.audit.ttl" ? "720h" : "1");
    const std::string want = file + ": config key " + from +
                             (*r.to ? std::string(" was renamed to ") + r.to : kMetricsRemoved);
    const std::string got = load_error(f, yaml_for(from, value));
    EXPECT_EQ(got, want) << yaml_for(from, value);
    EXPECT_EQ(count(got, "config key"), 1u) << got;
    EXPECT_EQ(got.find('\n'), std::string::npos) << got;
  }
}

TEST(OldKeys, EachOldEnvVarStopsWithItsNewName) {
  Fixture f;
  for (const auto& r : kRenames) {
    const std::string from = r.from;
    if (from.find(".x.") != std::string::npos) continue;  // map member: no env override
    const std::string var = env_var_for(from);
    const std::string want = "environment variable " + var +
                             (*r.to ? " was renamed to " + env_var_for(r.to) : kMetricsRemoved);
    EXPECT_EQ(load_error(f, "", {{var, "1"}}), want);
    // Set-but-empty counts too: OSAPI_NATS_AUDIT_BUCKET= no longer disables audit.
    EXPECT_EQ(load_error(f, "", {{var, ""}}), want);
  }
  EXPECT_EQ(load_error(f, "", {{"OSAPI_API_SERVER_PORT", "8080"}}),
            "environment variable OSAPI_API_SERVER_PORT was renamed to OSAPI_CONTROLLER_API_PORT");
}

TEST(OldKeys, FlowStyleAndWholeSections) {
  Fixture f;
  const std::string file = f.dir.file("osapi.yaml");
  EXPECT_EQ(load_error(f, "api: {server: {port: 8080}}\n"),
            file + ": config key api.server.port was renamed to controller.api.port");
  EXPECT_EQ(load_error(f, "node: {agent: 5}\n"),
            file + ": config key node.agent was renamed to agent");
  EXPECT_EQ(load_error(f, "api: {client: null}\n"),
            file + ": config key api.client was renamed to controller.client");
  EXPECT_EQ(load_error(f, "nats: {audit: {stream: AUDIT, bucket: audit-log}}\n"),
            file + ": config key nats.audit.bucket was renamed to nats.audit.stream");
  EXPECT_EQ(load_error(f, "telemetry: {tracing: {enabled: true}, metrics: {path: /metrics}}\n"),
            file + ": config key telemetry.metrics.path" + kMetricsRemoved);
}

TEST(OldKeys, MapKeysNameTheMemberOrTheKey) {
  Fixture f;
  const std::string file = f.dir.file("osapi.yaml");
  EXPECT_EQ(load_error(f, "node:\n  agent:\n    labels: {group: web}\n"),
            file + ": config key node.agent.labels.group was renamed to agent.labels.group");
  EXPECT_EQ(load_error(f,
                       "api:\n  server:\n    security:\n      roles:\n        ops:\n"
                       "          permissions: [node:read]\n"),
            file +
                ": config key api.server.security.roles.ops.permissions was renamed to "
                "controller.api.security.roles.ops.permissions");
  // An empty value is still the old key (it used to be dropped without a word).
  EXPECT_EQ(load_error(f, "node:\n  agent:\n    labels: {}\n"),
            file + ": config key node.agent.labels was renamed to agent.labels");
  EXPECT_EQ(load_error(f, "api:\n  server:\n    security:\n      roles: {}\n"),
            file +
                ": config key api.server.security.roles was renamed to "
                "controller.api.security.roles");
  EXPECT_EQ(load_error(f, "api:\n  server:\n    security:\n      roles: {ops: {}}\n"),
            file +
                ": config key api.server.security.roles.ops was renamed to "
                "controller.api.security.roles.ops");
}

TEST(OldKeys, OneMessageForTheFirstOldKeyAmongMany) {
  Fixture f;
  const std::string yaml = "agent:\n  hostname: new\n" + yaml_for("node.agent.hostname", "old") +
                           yaml_for("api.server.port", "8080");
  EXPECT_EQ(
      load_error(f, yaml, {{"OSAPI_API_CLIENT_URL", "http://x"}}),
      f.dir.file("osapi.yaml") + ": config key node.agent.hostname was renamed to agent.hostname");
  // With a clean file, the first old variable in name order.
  EXPECT_EQ(load_error(f, "agent:\n  hostname: new\n",
                       {{"OSAPI_NODE_AGENT_HOSTNAME", "a"}, {"OSAPI_API_CLIENT_URL", "http://x"}}),
            "environment variable OSAPI_API_CLIENT_URL was renamed to OSAPI_CONTROLLER_CLIENT_URL");
}

TEST(OldKeys, NewOnlyKeysUnderAnOldSectionNameTheirNewPlace) {
  Fixture f;
  EXPECT_EQ(load_error(f, yaml_for("node.agent.metrics.port", "9091")),
            f.dir.file("osapi.yaml") +
                ": config key node.agent.metrics.port was renamed to agent.metrics.port");
  EXPECT_EQ(load_error(f, "", {{"OSAPI_NODE_AGENT_METRICS_PORT", "9091"}}),
            "environment variable OSAPI_NODE_AGENT_METRICS_PORT was renamed to "
            "OSAPI_AGENT_METRICS_PORT");
}

// A name that is a key in neither layout is an unknown key, not a rename to a key that does
// not exist ("node.agent.colour was renamed to agent.colour").
TEST(OldKeys, UnknownNamesUnderOldSectionsAreUnknownKeys) {
  Fixture f;
  Loaded l = f.must_load(
      "node:\n  agent:\n    colour: blue\n    extra: {a: 1}\napi:\n  server:\n    prot: 1\n"
      "  shape: round\n",
      {{"OSAPI_NODE_AGENT_COLOUR", "blue"},
       {"OSAPI_API_SERVER_PORTS", "1"},
       {"OSAPI_API_SERVER", "1"},
       {"OSAPI_NODE_AGENT_LABELS_GROUP", "web"},
       {"OSAPI_TELEMETRY_METRICS", "1"}});
  EXPECT_EQ(l.unknown_keys, (std::vector<std::string>{"node.agent.colour", "node.agent.extra",
                                                      "api.server.prot", "api.shape"}));
  EXPECT_TRUE(l.invalid.empty());
  // Leftover empty sections of the old layout hold no key: nothing to rename.
  Loaded empty = f.must_load("api: {}\nnode: {}\ntelemetry: {metrics: {}}\n");
  EXPECT_TRUE(empty.unknown_keys.empty());
}

TEST(OldKeys, NewKeysNextToOldNamesLoad) {
  Fixture f;
  Loaded l = f.must_load(
      "nats:\n  audit: {stream: AUDIT, subject: audit, max_age: 720h}\n"
      "telemetry:\n  tracing: {enabled: true}\n");
  EXPECT_TRUE(l.unknown_keys.empty());
  EXPECT_EQ(l.config.nats.audit.stream, "AUDIT");
}

}  // namespace
}  // namespace osapi::config
