// Prometheus metrics: the renderer as a unit, and the scrape of the controller's metrics server
// (its own port, controller.metrics.*) through the real ApiServer against a real nats-server.
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "api/handlers.h"
#include "api/metrics.h"
#include "common/version.h"
#include "health_fixture.h"

using namespace osapi;
using api::testing::ApiFixture;

namespace {

// Value of the first sample line starting with `prefix` (name plus labels), or -1.
double sample_value(const std::string& text, const std::string& prefix) {
  size_t pos = 0;
  while ((pos = text.find(prefix, pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      const auto eol = text.find('\n', pos);
      const auto line = text.substr(pos, eol - pos);
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
    pos += prefix.size();
  }
  return -1;
}

bool has_line_matching(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (std::regex_search(line, re)) return true;
  return false;
}

// `promtool check metrics` on the text; empty when clean, else its complaints. nullopt when
// promtool is not installed.
std::optional<std::string> promtool_check(const std::string& text) {
  const auto which = osapi::testing::run({"sh", "-c", "command -v promtool"});
  if (which.code != 0) return std::nullopt;
  const auto r = osapi::testing::run({"promtool", "check", "metrics"}, {}, text);
  if (r.code == 0 && r.out.empty() && r.err.empty()) return std::string();
  return "exit " + std::to_string(r.code) + ": " + r.out + r.err;
}

}  // namespace

TEST(MetricsRender, ValuesAndLabelsUseExpositionSyntax) {
  EXPECT_EQ(api::format_value(42), "42");
  EXPECT_EQ(api::format_value(0.005), "0.005");
  EXPECT_EQ(api::format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(api::escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(api::method_label("GET"), "GET");
  EXPECT_EQ(api::method_label("BREW"), "_OTHER");
}

TEST(MetricsRender, HistogramBucketsAreCumulative) {
  api::Histogram h({0.1, 1});
  h.observe({{"k", "v"}}, 0.05);
  h.observe({{"k", "v"}}, 0.5);
  h.observe({{"k", "v"}}, 5);
  api::Exposition out;
  out.family("t", "histogram", "help");
  h.render(out, "t");
  EXPECT_EQ(out.text(),
            "# HELP t help\n# TYPE t histogram\n"
            "t_bucket{k=\"v\",le=\"0.1\"} 1\n"
            "t_bucket{k=\"v\",le=\"1\"} 2\n"
            "t_bucket{k=\"v\",le=\"+Inf\"} 3\n"
            "t_sum{k=\"v\"} 5.55\n"
            "t_count{k=\"v\"} 3\n");
}

TEST(MetricsRender, ME1_HandlerServesCollectorOutput) {
  api::ApiMetrics m("1.2.3", "host-a");
  m.add_collector([](api::Exposition& out) {
    out.family("test_metric", "gauge", "A test metric.");
    out.sample("test_metric", {}, 42);
  });
  struct {
    std::string body;
  } resp{m.render()};
  EXPECT_NE(resp.body.find("\ntest_metric 42\n"), std::string::npos) << resp.body;
  EXPECT_NE(
      resp.body.find("target_info{host_name=\"host-a\",service_name=\"osapi-api\",service_version="
                     "\"1.2.3\"} 1"),
      std::string::npos);
  for (const char* family : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                             "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                             "process_start_time_seconds", "osapi_tracing_spans_dropped_total"}) {
    EXPECT_NE(resp.body.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
  EXPECT_GT(sample_value(resp.body, "process_resident_memory_bytes "), 0);
  EXPECT_GT(sample_value(resp.body, "process_start_time_seconds "), 1.6e9);
  if (auto bad = promtool_check(resp.body)) {
    EXPECT_EQ(*bad, "") << resp.body;
  }
}

TEST(MetricsApi, ME1_ScrapeOnTheMetricsPortNeedsNoAuthAndHasPrometheusContentType) {
  ApiFixture f;
  ASSERT_NE(f.server->metrics_port(), 0);
  auto r = f.metrics_get("/metrics");
  ASSERT_EQ(r.status, 200);
  ASSERT_NE(r.header("Content-Type"), nullptr);
  EXPECT_EQ(*r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# TYPE http_server_request_duration_seconds histogram"),
            std::string::npos);
  EXPECT_NE(r.body.find("# TYPE target_info gauge"), std::string::npos);
  EXPECT_NE(r.body.find("osapi_tracing_spans_dropped_total "), std::string::npos);
  EXPECT_EQ(sample_value(r.body, "osapi_nats_connected "), 1);
  EXPECT_EQ(sample_value(r.body, "osapi_agents_live "), 0);
  EXPECT_EQ(sample_value(r.body, "osapi_jobs{status=\"completed\"} "), 0);
  EXPECT_EQ(sample_value(r.body, "osapi_jobs_dlq_messages "), 0);
}

// Metrics are not on the API port any more, under any path.
TEST(MetricsApi, ApiPortHasNoMetrics) {
  ApiFixture f;
  for (const char* path : {"/metrics", "/api/metrics"}) {
    auto r = f.get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("target_info"), std::string::npos) << path;
  }
}

TEST(MetricsApi, MetricsServerListensOnTheConfiguredPort) {
  const int port = osapi::testing::free_port();
  ApiFixture f([port](config::Config& c) { c.controller.metrics.port = port; });
  EXPECT_EQ(f.server->metrics_port(), port);
  auto r = f.metrics_get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("target_info"), std::string::npos);
  EXPECT_EQ(f.metrics_get("/nope").status, 404);
}

TEST(MetricsApi, ME2_ApiRequestsAreCountedByRouteTemplateAndPromtoolIsClean) {
  ApiFixture f;
  const auto token = ApiFixture::admin();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f.get("/api/agent", token).status, 200);
  EXPECT_EQ(f.get("/api/job/9b2d7c1e-3f4a-4c1b-9a57-2f0e5d6c8a11", token).status, 404);
  EXPECT_EQ(f.get("/api/nope/raw-path-123").status, 404);
  EXPECT_EQ(f.call("DELETE", "/api/agent").status, 405);
  EXPECT_EQ(f.get("/api/agent").status, 401);
  f.metrics_get("/metrics");

  auto r = f.metrics_get("/metrics");
  ASSERT_EQ(r.status, 200);
  const std::string& m = r.body;
  const std::string agents_ok =
      "http_server_request_duration_seconds_count{http_request_method=\"GET\","
      "http_response_status_code=\"200\",http_route=\"/api/agent\",network_protocol_name="
      "\"http\",network_protocol_version=\"1.1\",otel_scope_name=\"osapi-api\",url_scheme="
      "\"http\"}";
  EXPECT_GE(sample_value(m, agents_ok + " "), 3) << m;
  EXPECT_TRUE(has_line_matching(
      m,
      R"(^http_server_request_duration_seconds_bucket\{.*http_route="/api/agent".*le="\+Inf"\} 3$)"));
  EXPECT_TRUE(has_line_matching(
      m,
      R"(^http_server_request_duration_seconds_count\{.*status_code="401",http_route="/api/agent")"));
  // Route templates, never raw paths; unmatched requests carry no http_route.
  EXPECT_TRUE(has_line_matching(m, R"(http_route="/api/job/\{id\}")"));
  EXPECT_EQ(m.find("9b2d7c1e"), std::string::npos);
  EXPECT_EQ(m.find("raw-path-123"), std::string::npos);
  EXPECT_TRUE(has_line_matching(
      m,
      R"(^http_server_request_duration_seconds_count\{http_request_method="GET",http_response_status_code="404",network_protocol_name)"));
  EXPECT_TRUE(has_line_matching(
      m,
      R"(^http_server_request_duration_seconds_count\{http_request_method="DELETE",http_response_status_code="405",network)"));
  // Scrapes go to the metrics server, which is not measured as API traffic.
  EXPECT_EQ(m.find("http_route=\"/metrics\""), std::string::npos);
  // Nothing is in flight between requests.
  EXPECT_EQ(sample_value(m, "http_server_active_requests{http_request_method=\"GET\","), 0);
  EXPECT_TRUE(has_line_matching(m, R"(^http_server_response_body_size_bytes_sum\{.*"/api/agent")"));
  EXPECT_TRUE(
      has_line_matching(m, R"(^http_server_request_body_size_bytes_count\{.*"/api/agent")"));
  EXPECT_NE(m.find("target_info{"), std::string::npos);
  EXPECT_NE(m.find("service_version=\"" + std::string(osapi::version()) + "\""), std::string::npos);

  auto bad = promtool_check(m);
  if (!bad) GTEST_SKIP() << "promtool not installed (Debian package prometheus): lint skipped";
  EXPECT_EQ(*bad, "") << m;
}

TEST(MetricsApi, NatsConnectionStateFollowsTheServer) {
  ApiFixture f;
  f.nats.stop();
  double connected = -1;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    auto r = f.metrics_get("/metrics");
    ASSERT_EQ(r.status, 200);  // the scrape never depends on NATS
    connected = sample_value(r.body, "osapi_nats_connected ");
    if (connected == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(connected, 0);
}
