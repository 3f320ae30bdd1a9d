#include "chain.h"

#include <gtest/gtest.h>

namespace osapi::testing {

namespace {

constexpr int kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5;  // OTLP

void expect_attrs(const ReceivedSpan& s, const std::map<std::string, std::string>& want) {
  for (const auto& [k, v] : want) {
    auto it = s.attributes.find(k);
    ASSERT_NE(it, s.attributes.end()) << s.name << " lacks attribute " << k;
    if (!v.empty()) {
      EXPECT_EQ(it->second, v) << s.name << " attribute " << k;
    }
  }
}

}  // namespace

bool has_full_chain(const std::vector<ReceivedSpan>& spans, const std::string& trace_id) {
  const auto trace = spans_of_trace(spans, trace_id);
  const ReceivedSpan* process = find_span_named(trace, "job.process");
  if (process == nullptr) return false;
  const ReceivedSpan* publish = find_span_by_id(trace, process->parent_span_id);
  if (publish == nullptr) return false;
  const ReceivedSpan* server = find_span_by_id(trace, publish->parent_span_id);
  if (server == nullptr) return false;
  const ReceivedSpan* client = find_span_by_id(trace, server->parent_span_id);
  if (client == nullptr) return false;
  return find_span_by_id(trace, client->parent_span_id) != nullptr;
}

void expect_full_chain(const std::vector<ReceivedSpan>& spans, const std::string& trace_id,
                       const std::string& protocol) {
  ASSERT_EQ(trace_id.size(), 32u);
  const auto trace = spans_of_trace(spans, trace_id);
  ASSERT_TRUE(has_full_chain(spans, trace_id)) << trace.size() << " spans of the trace arrived";
  for (const auto& s : trace) EXPECT_EQ(s.protocol, protocol) << s.name;

  const ReceivedSpan* process = find_span_named(trace, "job.process");
  EXPECT_EQ(process->service, "osapi-agent");
  EXPECT_EQ(process->kind, kConsumer);
  expect_attrs(*process, {{"messaging.system", "nats"},
                          {"messaging.operation.name", "process"},
                          {"messaging.operation.type", "process"},
                          {"messaging.destination.name", "osapi.jobs.query._all"},
                          {"messaging.consumer.group.name", ""},
                          {"messaging.message.id", ""},
                          {"job.id", ""},
                          {"job.type", "node.hostname.get"}});

  const ReceivedSpan* publish = find_span_by_id(trace, process->parent_span_id);
  EXPECT_EQ(publish->service, "osapi-controller");
  EXPECT_EQ(publish->kind, kProducer);
  EXPECT_EQ(publish->name, "publish osapi.jobs.query._all");
  expect_attrs(*publish,
               {{"messaging.system", "nats"},
                {"messaging.operation.name", "publish"},
                {"messaging.operation.type", "send"},
                {"messaging.destination.name", "osapi.jobs.query._all"},
                {"messaging.message.id", process->attributes.at("messaging.message.id")}});

  const ReceivedSpan* server = find_span_by_id(trace, publish->parent_span_id);
  EXPECT_EQ(server->service, "osapi-controller");
  EXPECT_EQ(server->kind, kServer);
  EXPECT_EQ(server->name, "GET /api/node/{hostname}/hostname");
  expect_attrs(*server, {{"http.request.method", "GET"},
                         {"url.scheme", "http"},
                         {"url.path", "/api/node/_all/hostname"},
                         {"http.route", "/api/node/{hostname}/hostname"},
                         {"http.response.status_code", "200"},
                         {"server.address", "127.0.0.1"},
                         {"client.address", ""},
                         {"network.protocol.version", "1.1"}});

  const ReceivedSpan* client = find_span_by_id(trace, server->parent_span_id);
  EXPECT_EQ(client->service, "osapi-cli");
  EXPECT_EQ(client->kind, kClient);
  EXPECT_EQ(client->name, "GET");
  expect_attrs(*client, {{"http.request.method", "GET"},
                         {"server.address", "127.0.0.1"},
                         {"server.port", server->attributes.count("server.port")
                                             ? server->attributes.at("server.port")
                                             : ""},
                         {"url.full", ""},
                         {"http.response.status_code", "200"}});

  const ReceivedSpan* root = find_span_by_id(trace, client->parent_span_id);
  EXPECT_EQ(root->service, "osapi-cli");
  EXPECT_EQ(root->kind, kInternal);
  EXPECT_EQ(root->name, "osapi client node hostname get");
  EXPECT_TRUE(root->parent_span_id.empty());
  expect_attrs(*root, {{"cli.command", "client node hostname get"}});
  for (const auto* s : {process, publish, server, client, root}) {
    EXPECT_EQ(s->resource.count("service.instance.id"), 1u) << s->name;
    EXPECT_EQ(s->flags & 0xffu, 1u) << s->name << " should carry the sampled flag";
  }
}

std::string otlp_yaml(const std::string& endpoint, const std::string& more) {
  return "telemetry:\n  tracing:\n    otlp_endpoint: \"" + endpoint + "\"\n" + more;
}

}  // namespace osapi::testing
