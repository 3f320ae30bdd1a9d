#include <gtest/gtest.h>

#include "config/loader.h"
#include "test_util.h"

namespace osapi::config {
namespace {

using test::Fixture;
using test::message;

const std::string kWithKeys = "api:\n  server:\n    security:\n      signing_key: " + test::kKey +
                              "\n  client:\n    security:\n      bearer_token: " + test::kToken +
                              "\n";

TEST(Validate, RequiredKeysPerCommand) {
  Fixture f;
  Loaded none = f.must_load("");
  const std::string signing =
      "config validation failed: api.server.security.signing_key (SigningKey) is required";
  const std::string bearer =
      "config validation failed: api.client.security.bearer_token (BearerToken) is required";
  EXPECT_EQ(message(validate_for(none, Command::kController)), signing);
  EXPECT_EQ(message(validate_for(none, Command::kToken)), signing);
  EXPECT_EQ(message(validate_for(none, Command::kClientAuthenticated)), bearer);
  EXPECT_TRUE(validate_for(none, Command::kClient).ok());
  EXPECT_TRUE(validate_for(none, Command::kNatsServer).ok());
  EXPECT_TRUE(validate_for(none, Command::kAgent).ok());

  Loaded both = f.must_load(kWithKeys);
  for (auto cmd : {Command::kController, Command::kNatsServer, Command::kAgent, Command::kClient,
                   Command::kClientAuthenticated, Command::kToken}) {
    EXPECT_TRUE(validate_for(both, cmd).ok()) << message(validate_for(both, cmd));
  }
}

TEST(Validate, RegistryBucketRequiredForApiAndAgent) {
  Fixture f;
  Loaded l = f.must_load(kWithKeys, {{"OSAPI_NATS_REGISTRY_BUCKET", ""}});
  EXPECT_NE(message(validate_for(l, Command::kController)).find("nats.registry.bucket"),
            std::string::npos);
  EXPECT_NE(message(validate_for(l, Command::kAgent)).find("nats.registry.bucket"),
            std::string::npos);
  EXPECT_TRUE(validate_for(l, Command::kNatsServer).ok());
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
  EXPECT_TRUE(validate_for(l, Command::kClient).ok());
  EXPECT_TRUE(validate_for(l, Command::kClientAuthenticated).ok());
  EXPECT_TRUE(validate_for(l, Command::kToken).ok());
}

TEST(Validate, InvalidEnvValueNamesTheVariable) {
  Fixture f;
  Loaded l = f.must_load(kWithKeys, {{"OSAPI_NODE_AGENT_CONSUMER_BACK_OFF", "30s,soon"}});
  EXPECT_EQ(message(validate_for(l, Command::kAgent)),
            "invalid config: OSAPI_NODE_AGENT_CONSUMER_BACK_OFF: invalid duration \"soon\"");
  EXPECT_TRUE(validate_for(l, Command::kController).ok());
}

TEST(Validate, TelemetryErrorsStopEveryCommand) {
  Fixture f;
  Loaded l = f.must_load(kWithKeys, {{"OSAPI_TELEMETRY_TRACING_SAMPLER", "sometimes"}});
  for (auto cmd : {Command::kController, Command::kNatsServer, Command::kAgent, Command::kClient,
                   Command::kToken}) {
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
  Loaded range = f.must_load(kWithKeys, {{"OSAPI_API_SERVER_PORT", "70000"}});
  EXPECT_EQ(message(validate_for(range, Command::kController)),
            "invalid config: OSAPI_API_SERVER_PORT: must be between 1 and 65535, got 70000");
  Loaded list = f.must_load("api:\n  server:\n    port: [1, 2]\n");
  EXPECT_NE(message(validate_for(list, Command::kController)).find("api.server.port"),
            std::string::npos);
  Loaded ratio = f.must_load("", {{"OSAPI_TELEMETRY_TRACING_SAMPLER_RATIO", "1.5"}});
  EXPECT_FALSE(validate_for(ratio, Command::kClient).ok());
}

TEST(Validate, CustomRolesNeedKnownPermissions) {
  Fixture f;
  Loaded ok = f.must_load(kWithKeys, {{"OSAPI_API_SERVER_SECURITY_ROLES",
                                       "{ops: {permissions: [node:read, command:execute]}}"}});
  EXPECT_TRUE(validate_for(ok, Command::kController).ok());

  Loaded bad = f.must_load(kWithKeys, {{"OSAPI_API_SERVER_SECURITY_ROLES",
                                        "{ops: {permissions: [node:read, node:fly]}}"}});
  const std::string want =
      "invalid config: api.server.security.roles.ops: unknown permission \"node:fly\"";
  EXPECT_EQ(message(validate_for(bad, Command::kController)), want);
  EXPECT_EQ(message(validate_for(bad, Command::kToken)), want);
  EXPECT_TRUE(validate_for(bad, Command::kAgent).ok());
  EXPECT_TRUE(validate_for(bad, Command::kClientAuthenticated).ok());

  Loaded name = f.must_load(
      kWithKeys, {{"OSAPI_API_SERVER_SECURITY_ROLES", "{'bad name': {permissions: [node:read]}}"}});
  EXPECT_NE(message(validate_for(name, Command::kController)).find("roles.bad name"),
            std::string::npos);
}

TEST(Validate, AgentLabels) {
  Fixture f;
  Loaded ok = f.must_load("node:\n  agent:\n    labels: {group: web.dev.us-east, env: prod}\n");
  EXPECT_TRUE(validate_for(ok, Command::kAgent).ok());
  for (const std::string labels :
       {"{group: web..dev}", "{'gr@up': web}", "{group: 'web/dev'}", "{group: ''}"}) {
    Loaded bad = f.must_load("", {{"OSAPI_NODE_AGENT_LABELS", labels}});
    const std::string msg = message(validate_for(bad, Command::kAgent));
    EXPECT_EQ(msg.rfind("invalid config: node.agent.labels.", 0), 0u) << labels << " → " << msg;
    EXPECT_TRUE(validate_for(bad, Command::kNatsServer).ok());
  }
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
