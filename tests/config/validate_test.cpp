#include <gtest/gtest.h>

#include "config/loader.h"
#include "test_util.h"

namespace osapi::config {
namespace {

using test::Fixture;
using test::message;

const std::string kWithKeys =
    "controller:\n  api:\n    security:\n      signing_key: " + test::kKey +
    "\n  client:\n    security:\n      bearer_token: " + test::kToken + "\n";
// The same keys from the environment, for tests whose file has its own controller section.
const std::map<std::string, std::string> kKeysEnv = {
    {"OSAPI_CONTROLLER_API_SECURITY_SIGNING_KEY", test::kKey},
    {"OSAPI_CONTROLLER_CLIENT_SECURITY_BEARER_TOKEN", test::kToken}};

// The 36 permissions of the current upstream surface, written out independently of the code.
const std::vector<std::string> kAllPermissions = {
    "agent:read",      "agent:write",     "node:read",        "node:write",        "network:read",
    "network:write",   "job:read",        "job:write",        "health:read",       "audit:read",
    "command:execute", "file:read",       "file:write",       "docker:read",       "docker:write",
    "docker:execute",  "cron:read",       "cron:write",       "sysctl:read",       "sysctl:write",
    "ntp:read",        "ntp:write",       "timezone:read",    "timezone:write",    "power:execute",
    "process:read",    "process:execute", "user:read",        "user:write",        "package:read",
    "package:write",   "log:read",        "certificate:read", "certificate:write", "service:read",
    "service:write"};

std::string flow_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? ", " : "") + i;
  return out + "]";
}

TEST(Validate, RequiredKeysPerCommand) {
  Fixture f;
  Loaded none = f.must_load("");
  const std::string signing =
      "config validation failed: controller.api.security.signing_key (SigningKey) is required";
  const std::string bearer =
      "config validation failed: controller.client.security.bearer_token (BearerToken) is "
      "required";
  EXPECT_EQ(message(validate_for(none, Command::kController)), signing);
  EXPECT_EQ(message(validate_for(none, Command::kStart)), signing);
  EXPECT_EQ(message(validate_for(none, Command::kToken)), signing);
  EXPECT_EQ(message(validate_for(none, Command::kClientAuthenticated)), bearer);
  EXPECT_TRUE(validate_for(none, Command::kClient).ok());
  EXPECT_TRUE(validate_for(none, Command::kNatsServer).ok());
  EXPECT_TRUE(validate_for(none, Command::kAgent).ok());

  Loaded both = f.must_load(kWithKeys);
  for (auto cmd : test::kAllCommands) {
    EXPECT_TRUE(validate_for(both, cmd).ok()) << message(validate_for(both, cmd));
  }
  Loaded from_env = f.must_load("", kKeysEnv);
  for (auto cmd : test::kAllCommands) {
    EXPECT_TRUE(validate_for(from_env, cmd).ok()) << message(validate_for(from_env, cmd));
  }
}

TEST(Validate, RegistryBucketRequiredForControllerAndAgent) {
  Fixture f;
  Loaded l = f.must_load(kWithKeys, {{"OSAPI_NATS_REGISTRY_BUCKET", ""}});
  const std::string want =
      "config validation failed: nats.registry.bucket (RegistryBucket) is required";
  EXPECT_EQ(message(validate_for(l, Command::kController)), want);
  EXPECT_EQ(message(validate_for(l, Command::kAgent)), want);
  EXPECT_EQ(message(validate_for(l, Command::kStart)), want);
  EXPECT_TRUE(validate_for(l, Command::kNatsServer).ok());
  EXPECT_TRUE(validate_for(l, Command::kClient).ok());
}

TEST(Validate, BogusDurationStopsServersNotClient) {
  Fixture f;
  Loaded l = f.must_load(kWithKeys + "nats:\n  stream:\n    max_age: bogus\n");
  ASSERT_EQ(l.invalid.size(), 1u);
  EXPECT_EQ(l.invalid[0].key, "nats.stream.max_age");
  const std::string want = "invalid config: nats.stream.max_age: invalid duration \"bogus\"";
  EXPECT_EQ(message(validate_for(l, Command::kController)), want);
  EXPECT_EQ(message(validate_for(l, Command::kNatsServer)), want);
  EXPECT_EQ(message(validate_for(l, Command::kAgent)), want);
  EXPECT_EQ(message(validate_for(l, Command::kStart)), want);
  EXPECT_TRUE(validate_for(l, Command::kClient).ok());
  EXPECT_TRUE(validate_for(l, Command::kClientAuthenticated).ok());
  EXPECT_TRUE(validate_for(l, Command::kToken).ok());
}

// Each role checks the sections it reads: `start` runs the controller and the agent.
TEST(Validate, InvalidKeyStopsOnlyTheCommandsThatUseIt) {
  Fixture f;
  Loaded agent = f.must_load(kWithKeys, {{"OSAPI_AGENT_CONSUMER_BACK_OFF", "30s,soon"}});
  const std::string agent_msg =
      "invalid config: OSAPI_AGENT_CONSUMER_BACK_OFF: invalid duration \"soon\"";
  EXPECT_EQ(message(validate_for(agent, Command::kAgent)), agent_msg);
  EXPECT_EQ(message(validate_for(agent, Command::kStart)), agent_msg);
  EXPECT_TRUE(validate_for(agent, Command::kController).ok());
  EXPECT_TRUE(validate_for(agent, Command::kNatsServer).ok());

  Loaded controller = f.must_load("controller:\n  api:\n    job_timeout: soon\n", kKeysEnv);
  const std::string controller_msg =
      "invalid config: controller.api.job_timeout: invalid duration \"soon\"";
  EXPECT_EQ(message(validate_for(controller, Command::kController)), controller_msg);
  EXPECT_EQ(message(validate_for(controller, Command::kStart)), controller_msg);
  EXPECT_TRUE(validate_for(controller, Command::kAgent).ok());
  EXPECT_TRUE(validate_for(controller, Command::kClientAuthenticated).ok());

  Loaded client = f.must_load("controller:\n  client:\n    url: [a, b]\n", kKeysEnv);
  EXPECT_EQ(message(validate_for(client, Command::kClient))
                .rfind("invalid config: controller.client.url: ", 0),
            0u);
  EXPECT_FALSE(validate_for(client, Command::kClientAuthenticated).ok());
  EXPECT_FALSE(validate_for(client, Command::kController).ok());  // controller.* is read
  EXPECT_TRUE(validate_for(client, Command::kAgent).ok());

  Loaded token = f.must_load("controller:\n  api:\n    security:\n      roles: [x]\n", kKeysEnv);
  EXPECT_FALSE(validate_for(token, Command::kToken).ok());
  EXPECT_TRUE(validate_for(token, Command::kClient).ok());
}

TEST(Validate, TelemetryErrorsStopEveryCommand) {
  Fixture f;
  Loaded l = f.must_load(kWithKeys, {{"OSAPI_TELEMETRY_TRACING_SAMPLER", "sometimes"}});
  for (auto cmd : test::kAllCommands) {
    EXPECT_EQ(message(validate_for(l, cmd))
                  .rfind("invalid config: OSAPI_TELEMETRY_TRACING_SAMPLER: must be one of", 0),
              0u);
  }
}

TEST(Validate, TypeAndRangeErrors) {
  Fixture f;
  Loaded word = f.must_load(kWithKeys + "nats:\n  stream:\n    replicas: lots\n");
  EXPECT_EQ(message(validate_for(word, Command::kNatsServer)),
            "invalid config: nats.stream.replicas: expected an integer, got \"lots\"");
  Loaded range = f.must_load(kWithKeys, {{"OSAPI_CONTROLLER_API_PORT", "70000"}});
  EXPECT_EQ(message(validate_for(range, Command::kController)),
            "invalid config: OSAPI_CONTROLLER_API_PORT: must be between 1 and 65535, got 70000");
  Loaded nats_port = f.must_load(kWithKeys, {{"OSAPI_CONTROLLER_NATS_PORT", "0"}});
  EXPECT_EQ(message(validate_for(nats_port, Command::kController)),
            "invalid config: OSAPI_CONTROLLER_NATS_PORT: must be between 1 and 65535, got 0");
  Loaded list = f.must_load("controller:\n  api:\n    port: [1, 2]\n");
  EXPECT_NE(message(validate_for(list, Command::kController)).find("controller.api.port"),
            std::string::npos);
  Loaded ratio = f.must_load("", {{"OSAPI_TELEMETRY_TRACING_SAMPLER_RATIO", "1.5"}});
  EXPECT_FALSE(validate_for(ratio, Command::kClient).ok());
  // omitempty,min=1,max=65535: 0 is accepted for the metrics ports, 65536 is not.
  Loaded metrics_zero = f.must_load(kWithKeys, {{"OSAPI_CONTROLLER_METRICS_PORT", "0"}});
  EXPECT_TRUE(validate_for(metrics_zero, Command::kController).ok());
  Loaded metrics_big = f.must_load(kWithKeys, {{"OSAPI_AGENT_METRICS_PORT", "65536"}});
  EXPECT_EQ(message(validate_for(metrics_big, Command::kAgent)),
            "invalid config: OSAPI_AGENT_METRICS_PORT: must be between 0 and 65535, got 65536");
  Loaded jobs = f.must_load("agent:\n  max_jobs: 0\n");
  EXPECT_EQ(message(validate_for(jobs, Command::kAgent)),
            "invalid config: agent.max_jobs: must be >= 1, got 0");
}

// agent.conditions: min=1,max=100 on the thresholds, gt=0 on the load multiplier.
TEST(Validate, AgentConditionRanges) {
  Fixture f;
  Loaded ok = f.must_load(
      "agent:\n  conditions: {memory_pressure_threshold: 1, disk_pressure_threshold: 100,"
      " high_load_multiplier: 0.01}\n");
  EXPECT_TRUE(validate_for(ok, Command::kAgent).ok()) << message(validate_for(ok, Command::kAgent));
  Loaded mem = f.must_load("agent:\n  conditions: {memory_pressure_threshold: 101}\n");
  EXPECT_EQ(message(validate_for(mem, Command::kAgent)),
            "invalid config: agent.conditions.memory_pressure_threshold: must be between 1 and "
            "100, got 101");
  Loaded disk = f.must_load("agent:\n  conditions: {disk_pressure_threshold: 0}\n");
  EXPECT_EQ(message(validate_for(disk, Command::kAgent)),
            "invalid config: agent.conditions.disk_pressure_threshold: must be between 1 and "
            "100, got 0");
  for (const char* bad : {"0", "-1"}) {
    Loaded load = f.must_load("", {{"OSAPI_AGENT_CONDITIONS_HIGH_LOAD_MULTIPLIER", bad}});
    EXPECT_EQ(message(validate_for(load, Command::kAgent)),
              "invalid config: OSAPI_AGENT_CONDITIONS_HIGH_LOAD_MULTIPLIER: must be > 0, got " +
                  std::string(bad));
  }
  Loaded tiny = f.must_load("", {{"OSAPI_AGENT_CONDITIONS_HIGH_LOAD_MULTIPLIER", "1e-12"}});
  EXPECT_TRUE(validate_for(tiny, Command::kAgent).ok())
      << message(validate_for(tiny, Command::kAgent));
}

TEST(Validate, KnownPermissionsAreThe36OfTheSpec) {
  EXPECT_EQ(known_permissions(), kAllPermissions);
}

TEST(Validate, CustomRolesMayUseAnyOfThe36Permissions) {
  Fixture f;
  Loaded all = f.must_load(
      "controller:\n  api:\n    security:\n      roles:\n        everything: {permissions: " +
          flow_list(kAllPermissions) + "}\n",
      kKeysEnv);
  ASSERT_EQ(all.config.controller.api.roles.at("everything").permissions, kAllPermissions);
  for (auto cmd : {Command::kController, Command::kStart, Command::kToken}) {
    EXPECT_TRUE(validate_for(all, cmd).ok()) << message(validate_for(all, cmd));
  }
  // One role per permission, from the environment.
  std::string roles = "{";
  for (size_t i = 0; i < kAllPermissions.size(); ++i) {
    roles += (i ? ", " : "") + std::string("r") + std::to_string(i) + ": {permissions: [" +
             kAllPermissions[i] + "]}";
  }
  roles += "}";
  Loaded each = f.must_load(kWithKeys, {{"OSAPI_CONTROLLER_API_SECURITY_ROLES", roles}});
  EXPECT_EQ(each.config.controller.api.roles.size(), 36u);
  EXPECT_TRUE(validate_for(each, Command::kController).ok())
      << message(validate_for(each, Command::kController));
  // An empty role and the shorthand "name: [perms]" are fine too.
  Loaded shorthand =
      f.must_load(kWithKeys, {{"OSAPI_CONTROLLER_API_SECURITY_ROLES",
                               "{ops: [agent:read, power:execute], none: {permissions: []}}"}});
  EXPECT_TRUE(validate_for(shorthand, Command::kController).ok())
      << message(validate_for(shorthand, Command::kController));
}

TEST(Validate, CustomRoleWithUnknownPermissionIsRefused) {
  Fixture f;
  Loaded bad = f.must_load(kWithKeys, {{"OSAPI_CONTROLLER_API_SECURITY_ROLES",
                                        "{ops: {permissions: [node:read, node:fly]}}"}});
  const std::string want =
      "invalid config: controller.api.security.roles.ops: unknown permission \"node:fly\"";
  EXPECT_EQ(message(validate_for(bad, Command::kController)), want);
  EXPECT_EQ(message(validate_for(bad, Command::kStart)), want);
  EXPECT_EQ(message(validate_for(bad, Command::kToken)), want);
  EXPECT_TRUE(validate_for(bad, Command::kAgent).ok());
  EXPECT_TRUE(validate_for(bad, Command::kNatsServer).ok());
  EXPECT_TRUE(validate_for(bad, Command::kClientAuthenticated).ok());

  // Compared verbatim: no wildcards, no case folding, no whitespace trimming inside.
  for (const char* perm : {"node:*", "Node:Read", "'node: read'", "admin", "''"}) {
    Loaded l = f.must_load(
        "controller:\n  api:\n    security:\n      roles:\n        ops: {permissions: [" +
            std::string(perm) + "]}\n",
        kKeysEnv);
    EXPECT_EQ(
        message(validate_for(l, Command::kController))
            .rfind("invalid config: controller.api.security.roles.ops: unknown permission ", 0),
        0u)
        << perm;
  }

  Loaded name = f.must_load(kWithKeys, {{"OSAPI_CONTROLLER_API_SECURITY_ROLES",
                                         "{'bad name': {permissions: [node:read]}}"}});
  EXPECT_NE(message(validate_for(name, Command::kController)).find("roles.bad name"),
            std::string::npos);
}

TEST(Validate, AgentLabels) {
  Fixture f;
  Loaded ok = f.must_load("agent:\n  labels: {group: web.dev.us-east, env: prod}\n");
  EXPECT_TRUE(validate_for(ok, Command::kAgent).ok());
  for (const std::string labels :
       {"{group: web..dev}", "{'gr@up': web}", "{group: 'web/dev'}", "{group: ''}"}) {
    auto env = kKeysEnv;
    env["OSAPI_AGENT_LABELS"] = labels;
    Loaded bad = f.must_load("", env);
    const std::string msg = message(validate_for(bad, Command::kAgent));
    EXPECT_EQ(msg.rfind("invalid config: agent.labels.", 0), 0u) << labels << " → " << msg;
    EXPECT_EQ(message(validate_for(bad, Command::kStart)), msg);
    EXPECT_TRUE(validate_for(bad, Command::kNatsServer).ok());
  }
}

TEST(Validate, AtMostFiveAgentLabels) {
  Fixture f;
  Loaded five = f.must_load("agent:\n  labels: {a: '1', b: '2', c: '3', d: '4', e: '5'}\n");
  ASSERT_EQ(five.config.agent.labels.size(), 5u);
  EXPECT_TRUE(validate_for(five, Command::kAgent).ok())
      << message(validate_for(five, Command::kAgent));

  Loaded six =
      f.must_load(kWithKeys, {{"OSAPI_AGENT_LABELS", "{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6}"}});
  ASSERT_EQ(six.config.agent.labels.size(), 6u);
  const std::string want = "invalid config: agent.labels: at most 5 labels, got 6";
  EXPECT_EQ(message(validate_for(six, Command::kAgent)), want);
  EXPECT_EQ(message(validate_for(six, Command::kStart)), want);
  EXPECT_TRUE(validate_for(six, Command::kController).ok());  // labels are the agent's
  EXPECT_TRUE(validate_for(six, Command::kNatsServer).ok());
}

TEST(Validate, TracingExporter) {
  Fixture f;
  for (const char* ok : {"", "none", "stdout"}) {
    Loaded l = f.must_load("", {{"OSAPI_TELEMETRY_TRACING_EXPORTER", ok}});
    EXPECT_TRUE(validate_for(l, Command::kClient).ok()) << ok;
  }
  Loaded bad = f.must_load("telemetry:\n  tracing:\n    exporter: jaeger\n");
  EXPECT_EQ(message(validate_for(bad, Command::kNatsServer)),
            "unsupported tracing exporter: \"jaeger\"");
  EXPECT_EQ(message(validate_for(bad, Command::kClient)),
            "unsupported tracing exporter: \"jaeger\"");

  Loaded otlp = f.must_load("telemetry:\n  tracing:\n    exporter: otlp\n");
  EXPECT_NE(message(validate_for(otlp, Command::kClient)).find("telemetry.tracing.otlp_endpoint"),
            std::string::npos);
  Loaded otlp_ok = f.must_load("telemetry:\n  tracing:\n    exporter: otlp\n",
                               {{"OSAPI_TELEMETRY_TRACING_OTLP_ENDPOINT", "localhost:4317"}});
  EXPECT_TRUE(validate_for(otlp_ok, Command::kClient).ok());
}

}  // namespace
}  // namespace osapi::config
