// Prometheus metrics of the API server: the HTTP families the
// OpenTelemetry → Prometheus bridge produces upstream (so dashboards keep working), target_info,
// the standard process collector, the dropped-span counter and osapi's own gauges. Rendered as
// text exposition 0.0.4 by a small writer of our own.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/middleware.h"
#include "http/request.h"
#include "http/response.h"

namespace osapi::api {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Writes one exposition: every family gets # HELP and # TYPE before its samples.
class Exposition {
 public:
  // type: counter | gauge | histogram
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// Prometheus float syntax: shortest round-trip form, "+Inf", "-Inf", "NaN".
std::string format_value(double v);
// Label value escaping (backslash, double quote, newline).
std::string escape_label_value(std::string_view v);

// A histogram with fixed upper bounds, one series per label set.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {}
  void observe(const Labels& labels, double value);
  void render(Exposition& out, std::string_view name) const;

 private:
  struct Series {
    std::vector<uint64_t> counts;  // per bound, not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  std::vector<double> bounds_;
  std::map<Labels, Series> series_;
};

// Duration buckets (seconds) and the OpenTelemetry default buckets (body sizes).
const std::vector<double>& duration_buckets();
const std::vector<double>& size_buckets();

// Sizes from /proc/self and getrlimit; fields stay negative when unreadable (then omitted).
struct ProcessStats {
  double cpu_seconds = -1;
  double resident_bytes = -1;
  double virtual_bytes = -1;
  double open_fds = -1;
  double max_fds = -1;
  double start_time_seconds = -1;
};
ProcessStats read_process_stats();
// The process_* families of the standard process collector plus the dropped-span counter.
void render_process_metrics(Exposition& out);

class ApiMetrics {
 public:
  // Extra families sampled at scrape time (NATS state, agents, jobs, audit failures).
  using Collector = std::function<void(Exposition&)>;

  ApiMetrics(std::string service_version, std::string host_name);

  // http::RequestObserver: one finished request (route, status, sizes, duration).
  void observe(const http::Request& req, const http::Response& resp,
               std::chrono::nanoseconds duration);
  // Outermost middleware keeping http_server_active_requests.
  http::Middleware active_requests_middleware();
  void add_collector(Collector collector);

  // The whole exposition.
  std::string render() const;

 private:
  std::string version_;
  std::string host_;
  mutable std::mutex mu_;
  Histogram duration_{duration_buckets()};
  Histogram request_size_{size_buckets()};
  Histogram response_size_{size_buckets()};
  std::map<Labels, int64_t> active_;
  std::vector<Collector> collectors_;
};

// Bounded method label: the standard methods, anything else "_OTHER" (OpenTelemetry semconv).
std::string method_label(std::string_view method);

}  // namespace osapi::api
