#include "api/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "telemetry/tracing.h"

namespace osapi::api {

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  // HELP text escapes only backslash and newline.
  for (char c : help) out_ += c == '\n' ? std::string("\\n") : std::string(1, c);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void Exposition::sample(std::string_view name, const Labels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      out_ += escape_label_value(v);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void Histogram::observe(const Labels& labels, double value) {
  auto& s = series_[labels];
  if (s.counts.empty()) s.counts.assign(bounds_.size(), 0);
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      ++s.counts[i];
      break;
    }
  }
  ++s.count;
  s.sum += value;
}

void Histogram::render(Exposition& out, std::string_view name) const {
  const std::string bucket = std::string(name) + "_bucket";
  for (const auto& [labels, s] : series_) {
    Labels with_le = labels;
    with_le.emplace_back("le", "");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s.counts[i];
      with_le.back().second = format_value(bounds_[i]);
      out.sample(bucket, with_le, static_cast<double>(cumulative));
    }
    with_le.back().second = "+Inf";
    out.sample(bucket, with_le, static_cast<double>(s.count));
    out.sample(std::string(name) + "_sum", labels, s.sum);
    out.sample(std::string(name) + "_count", labels, static_cast<double>(s.count));
  }
}

const std::vector<double>& duration_buckets() {
  static const std::vector<double> b = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                        0.5,   0.75, 1,     2.5,  5,     7.5, 10};
  return b;
}

const std::vector<double>& size_buckets() {
  static const std::vector<double> b = {0,   5,   10,   25,   50,   75,   100,  250,
                                        500, 750, 1000, 2500, 5000, 7500, 10000};
  return b;
}

namespace {

// Seconds since the epoch at boot ("btime" in /proc/stat).
double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double t = -1;
      in >> t;
      return t;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return -1;
}

double count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return -1;
  double n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the descriptor opendir itself holds
}

}  // namespace

ProcessStats read_process_stats() {
  ProcessStats ps;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (std::getline(in, line)) {
    // The command name (field 2) may contain spaces: fields resume after its closing ')'.
    const auto close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream fields(line.substr(close + 2));
      std::vector<std::string> f;
      std::string tok;
      while (fields >> tok) f.push_back(tok);
      // f[0] is field 3 (state): utime=14, stime=15, starttime=22, vsize=23, rss=24.
      auto field = [&f](size_t n) -> double {
        const size_t i = n - 3;
        if (i >= f.size()) return -1;
        try {
          return std::stod(f[i]);
        } catch (...) {
          return -1;
        }
      };
      const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
      const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
      const double utime = field(14), stime = field(15), start = field(22);
      if (ticks > 0 && utime >= 0 && stime >= 0) ps.cpu_seconds = (utime + stime) / ticks;
      ps.virtual_bytes = field(23);
      const double rss = field(24);
      if (rss >= 0 && page > 0) ps.resident_bytes = rss * page;
      const double boot = boot_time_seconds();
      if (boot >= 0 && start >= 0 && ticks > 0) ps.start_time_seconds = boot + start / ticks;
    }
  }
  ps.open_fds = count_open_fds();
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0)
    ps.max_fds = rl.rlim_cur == RLIM_INFINITY ? -1 : static_cast<double>(rl.rlim_cur);
  return ps;
}

std::string method_label(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (auto m : kKnown)
    if (m == method) return std::string(method);
  return "_OTHER";
}

ApiMetrics::ApiMetrics(std::string service_version, std::string host_name)
    : version_(std::move(service_version)), host_(std::move(host_name)) {}

namespace {

constexpr const char* kScope = "osapi-api";

Labels active_labels(const http::Request& req) {
  return {{"http_request_method", method_label(req.method)}, {"url_scheme", "http"}};
}

// Status codes outside 100..599 cannot come from our server; clamp anyway to keep labels bounded.
std::string status_label(int status) {
  return status >= 100 && status <= 599 ? std::to_string(status) : "_OTHER";
}

}  // namespace

void ApiMetrics::observe(const http::Request& req, const http::Response& resp,
                         std::chrono::nanoseconds duration) {
  Labels labels = {{"http_request_method", method_label(req.method)},
                   {"http_response_status_code", status_label(resp.status)}};
  // The route template, never the raw path; absent when no route matched (404/405).
  if (!req.route.empty()) labels.emplace_back("http_route", req.route);
  labels.emplace_back("network_protocol_name", "http");
  labels.emplace_back("network_protocol_version", "1.1");
  labels.emplace_back("otel_scope_name", kScope);
  labels.emplace_back("url_scheme", "http");
  const double seconds = std::chrono::duration<double>(duration).count();
  std::lock_guard<std::mutex> lk(mu_);
  duration_.observe(labels, seconds);
  request_size_.observe(labels, static_cast<double>(req.body.size()));
  response_size_.observe(labels, static_cast<double>(resp.body.size()));
}

http::Middleware ApiMetrics::active_requests_middleware() {
  return [this](http::Request& req, const http::Next& next) {
    const Labels labels = active_labels(req);
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++active_[labels];
    }
    struct Done {
      ApiMetrics* self;
      const Labels& labels;
      ~Done() {
        std::lock_guard<std::mutex> lk(self->mu_);
        --self->active_[labels];
      }
    } done{this, labels};
    return next(req);
  };
}

void ApiMetrics::add_collector(Collector collector) {
  std::lock_guard<std::mutex> lk(mu_);
  collectors_.push_back(std::move(collector));
}

void render_process_metrics(Exposition& out) {
  const ProcessStats ps = read_process_stats();
  auto process_family = [&out](const char* name, const char* type, const char* help, double v) {
    if (v < 0) return;
    out.family(name, type, help);
    out.sample(name, {}, v);
  };
  process_family("process_cpu_seconds_total", "counter",
                 "Total user and system CPU time spent in seconds.", ps.cpu_seconds);
  process_family("process_max_fds", "gauge", "Maximum number of open file descriptors.",
                 ps.max_fds);
  process_family("process_open_fds", "gauge", "Number of open file descriptors.", ps.open_fds);
  process_family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                 ps.resident_bytes);
  process_family("process_start_time_seconds", "gauge",
                 "Start time of the process since unix epoch in seconds.", ps.start_time_seconds);
  process_family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                 ps.virtual_bytes);

  out.family("osapi_tracing_spans_dropped_total", "counter",
             "Spans dropped because the batch export queue was full.");
  out.sample("osapi_tracing_spans_dropped_total", {},
             static_cast<double>(telemetry::spans_dropped()));
}

std::string ApiMetrics::render() const {
  Exposition out;
  std::vector<Collector> collectors;
  {
    std::lock_guard<std::mutex> lk(mu_);
    out.family("http_server_request_duration_seconds", "histogram",
               "Duration of HTTP server requests.");
    duration_.render(out, "http_server_request_duration_seconds");
    out.family("http_server_active_requests", "gauge", "Number of active HTTP server requests.");
    for (const auto& [labels, n] : active_) {
      Labels with_scope = labels;
      with_scope.emplace_back("otel_scope_name", kScope);
      out.sample("http_server_active_requests", with_scope, static_cast<double>(n));
    }
    out.family("http_server_request_body_size_bytes", "histogram",
               "Size of HTTP server request bodies.");
    request_size_.render(out, "http_server_request_body_size_bytes");
    out.family("http_server_response_body_size_bytes", "histogram",
               "Size of HTTP server response bodies.");
    response_size_.render(out, "http_server_response_body_size_bytes");
    collectors = collectors_;
  }

  out.family("target_info", "gauge", "Target metadata");
  out.sample("target_info",
             {{"host_name", host_}, {"service_name", "osapi-api"}, {"service_version", version_}},
             1);

  render_process_metrics(out);

  for (const auto& c : collectors) c(out);
  return out.text();
}

}  // namespace osapi::api
