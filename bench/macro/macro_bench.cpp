// Macro benchmark driver (issue 6): runs the real `osapi` binary as nats/api/agent on loopback
// (the e2e harness), measures GET /node/hostname latency and throughput at concurrency 1, 8, 64
// beside a bare cnats request-reply against the same nats-server, API throughput under wrk with
// tracing off / on without exporter / on with OTLP export to a local sink, RSS, and the cost
// of job and audit list pages with 1k, 10k and 100k records stored.
//
//   osapi_macro_bench --out macro.json [--quick]
//   osapi_macro_bench --report --micro micro.json --macro macro.json   (markdown on stdout)
#include <curl/curl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "http_load.h"
#include "list_cost.h"
#include "load.h"
#include "nats_floor.h"
#include "otlp_sink.h"
#include "report.h"
#include "stack.h"

namespace osapi::bench {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Budget {
  int concurrency;
  size_t requests;
  milliseconds limit;
};

struct Settings {
  std::vector<Budget> sweep;
  int wrk_seconds = 5;
  int wrk_rounds = 3;
};

json to_json(const LoadResult& r) {
  return json{{"requests", r.requests},      {"errors", r.errors},
              {"seconds", r.seconds},        {"rps", r.rps()},
              {"p50_us", r.p50_us},          {"p99_us", r.p99_us},
              {"first_error", r.first_error}};
}

json to_json(const WrkResult& r) {
  return json{{"rps", r.rps},
              {"p50_ms", r.p50_ms},
              {"p99_ms", r.p99_ms},
              {"requests", r.requests},
              {"non_2xx", r.non_2xx},
              {"socket_errors", r.socket_errors},
              {"error", r.error},
              {"api_cpu_us_per_req", r.api_cpu_us_per_req},
              {"driver_cpu_us_per_req", r.driver_cpu_us_per_req}};
}

// User + system CPU time of a process in microseconds ("self" for this process).
double proc_cpu_us(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may contain spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i)
    if (i == 14 || i == 15) ticks += std::atof(f.c_str());
  return ticks * 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// wrk against `url`, with the CPU the API process and this process spent per request.
WrkResult measured_wrk(const std::string& url, const std::vector<std::string>& headers, pid_t api,
                       const Settings& s) {
  const std::string api_pid = std::to_string(api);
  const double api0 = proc_cpu_us(api_pid), self0 = proc_cpu_us("self");
  WrkResult r = run_wrk(url, headers, 2, 32, s.wrk_seconds);
  const double api1 = proc_cpu_us(api_pid), self1 = proc_cpu_us("self");
  if (r.requests > 0) {
    r.api_cpu_us_per_req = (api1 - api0) / static_cast<double>(r.requests);
    r.driver_cpu_us_per_req = (self1 - self0) / static_cast<double>(r.requests);
  }
  return r;
}

json sweep(const OpFactory& factory, const Settings& s) {
  json out = json::object();
  for (const Budget& b : s.sweep) {
    LoadResult r = closed_loop(b.concurrency, b.requests, b.limit, factory);
    std::fprintf(stderr,
                 "    c=%-3d %6zu req  p50 %8.1f us  p99 %8.1f us  %8.1f req/s  errors %zu\n",
                 b.concurrency, r.requests, r.p50_us, r.p99_us, r.rps(), r.errors);
    out[std::to_string(b.concurrency)] = to_json(r);
  }
  return out;
}

json run_config(const std::string& name, bool tracing, const std::string& exporter,
                const Settings& s, bool with_floor) {
  std::fprintf(stderr, "== %s ==\n", name.c_str());
  testing::StackOptions opts;
  opts.tracing = tracing;
  opts.exporter = exporter;
  testing::Stack stack(opts);
  stack.start_all();
  const std::vector<std::string> auth{"Authorization: Bearer " + stack.token("admin")};
  const std::string hostname_url = stack.api_url() + "/api/node/_any/hostname";
  json out;

  // Warm up (first requests pay for connection setup, consumer creation, page faults).
  closed_loop(1, 20, seconds(20), curl_get(hostname_url, auth));
  std::this_thread::sleep_for(seconds(1));
  const pid_t api = stack.api()->pid(), agent = stack.agent()->pid();
  out["rss_idle_kib"] = {{"api", proc_status_kib(api, "VmRSS")},
                         {"agent", proc_status_kib(agent, "VmRSS")}};

  RssSampler sampler({api, agent});
  std::fprintf(stderr, "  GET /node/hostname (libcurl keep-alive, one connection per thread)\n");
  out["hostname"] = sweep(curl_get(hostname_url, auth), s);
  if (with_floor) {
    std::fprintf(stderr, "  bare cnats request-reply (same nats-server)\n");
    NatsEchoResponder responder("nats://127.0.0.1:" + std::to_string(stack.nats_port()),
                                "bench.echo");
    out["floor"] = sweep(
        nats_request("nats://127.0.0.1:" + std::to_string(stack.nats_port()), "bench.echo"), s);
  }
  const auto peak = sampler.finish();
  out["rss_load_kib"] = {{"api", peak[0]}, {"agent", peak[1]}};
  stack.stop_all();
  return out;
}

// API throughput under wrk for the three tracing configurations, each on its own stack, all
// running at once: rounds alternate off → on → OTLP so that drift on this shared machine hits
// every configuration alike, and the best round of each counts. Updates the under-load RSS peaks.
void run_throughput(json& results, const Settings& s, const OtlpSink& sink) {
  struct Live {
    std::string key;
    std::unique_ptr<testing::Stack> stack;
    std::vector<std::string> auth;
    WrkResult ready, hostname;
  };
  std::fprintf(stderr, "== API throughput under wrk (three stacks, interleaved rounds) ==\n");
  std::vector<Live> live;
  for (const auto& [key, tracing, exporter] :
       {std::tuple{"off", false, ""}, std::tuple{"on_none", true, ""},
        std::tuple{"on_otlp", true, "otlp"}}) {
    testing::StackOptions opts;
    opts.tracing = tracing;
    opts.exporter = exporter;
    const bool otlp = std::string(exporter) == "otlp";
    if (otlp) {
      ::setenv("OSAPI_TELEMETRY_TRACING_OTLP_ENDPOINT",
               ("127.0.0.1:" + std::to_string(sink.port())).c_str(), 1);
      ::setenv("OSAPI_TELEMETRY_TRACING_OTLP_INSECURE", "true", 1);
    }
    Live l{key, std::make_unique<testing::Stack>(opts), {}, {}, {}};
    l.stack->start_all();
    l.auth = {"Authorization: Bearer " + l.stack->token("admin")};  // the CLI reads the env too
    if (otlp) ::unsetenv("OSAPI_TELEMETRY_TRACING_OTLP_ENDPOINT");
    closed_loop(1, 20, seconds(20),
                curl_get(l.stack->api_url() + "/api/node/_any/hostname", l.auth));
    live.push_back(std::move(l));
  }
  std::vector<pid_t> pids;
  for (const auto& l : live)
    pids.insert(pids.end(), {l.stack->api()->pid(), l.stack->agent()->pid()});
  RssSampler sampler(pids);
  auto keep_best = [](WrkResult& best, const WrkResult& r) {
    if (!r.error.empty() && best.rps == 0) best = r;
    if (r.error.empty() && r.rps > best.rps) best = r;
  };
  for (int round = 0; round < s.wrk_rounds; ++round) {
    for (auto& l : live) {
      const pid_t api = l.stack->api()->pid();
      keep_best(l.ready, measured_wrk(l.stack->api_url() + "/api/health/ready", {}, api, s));
      keep_best(l.hostname,
                measured_wrk(l.stack->api_url() + "/api/node/_any/hostname", l.auth, api, s));
    }
  }
  const auto peak = sampler.finish();
  for (size_t i = 0; i < live.size(); ++i) {
    json& r = results[live[i].key];
    r["wrk_ready"] = to_json(live[i].ready);
    r["wrk_hostname"] = to_json(live[i].hostname);
    r["rss_load_kib"]["api"] = std::max(r["rss_load_kib"].value("api", 0L), peak[2 * i]);
    r["rss_load_kib"]["agent"] = std::max(r["rss_load_kib"].value("agent", 0L), peak[2 * i + 1]);
    std::fprintf(stderr, "  %-8s wrk /health/ready %.0f req/s, /node/hostname %.0f req/s\n",
                 live[i].key.c_str(), live[i].ready.rps, live[i].hostname.rps);
  }
  for (auto& l : live) l.stack->stop_all();
}

// `only`: "" for every section, or "list_cost" / "mixed" for that one alone (smoke runs).
int run_all(const std::string& out_path, bool quick, const std::string& only) {
  if (!only.empty()) {
    json results;
    if (only == "list_cost") results["list_cost"] = run_list_cost(quick);
    if (only == "mixed") results["mixed"] = run_mixed_load(quick);
    if (results.empty()) throw std::runtime_error("--only takes list_cost or mixed, not " + only);
    std::ofstream(out_path) << results.dump(2) << "\n";
    return 0;
  }
  Settings s;
  if (quick) {
    s.sweep = {{1, 50, seconds(10)}, {8, 80, seconds(10)}, {64, 128, seconds(15)}};
    s.wrk_seconds = 2;
    s.wrk_rounds = 1;
  } else {
    s.sweep = {{1, 500, seconds(15)}, {8, 1600, seconds(15)}, {64, 3200, seconds(20)}};
  }
  json results;
  results["off"] = run_config("tracing off", false, "", s, true);
  results["on_none"] = run_config("tracing on, no exporter", true, "", s, false);
  {
    OtlpSink sink;
    ::setenv("OSAPI_TELEMETRY_TRACING_OTLP_ENDPOINT",
             ("127.0.0.1:" + std::to_string(sink.port())).c_str(), 1);
    ::setenv("OSAPI_TELEMETRY_TRACING_OTLP_INSECURE", "true", 1);
    results["on_otlp"] =
        run_config("tracing on, OTLP export to a local sink", true, "otlp", s, false);
    ::unsetenv("OSAPI_TELEMETRY_TRACING_OTLP_ENDPOINT");
    run_throughput(results, s, sink);
    results["on_otlp"]["sink_exports"] = sink.exports();
    results["on_otlp"]["sink_bytes"] = sink.bytes();
    std::fprintf(stderr, "  OTLP sink received %llu export calls\n",
                 static_cast<unsigned long long>(sink.exports()));
  }
  results["list_cost"] = run_list_cost(quick);
  results["mixed"] = run_mixed_load(quick);
  std::ofstream(out_path) << results.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace osapi::bench

int main(int argc, char** argv) {
  std::string out = "macro.json", micro, macro, only;
  bool quick = false, report = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--report")
      report = true;
    else if (a == "--out" && i + 1 < argc)
      out = argv[++i];
    else if (a == "--micro" && i + 1 < argc)
      micro = argv[++i];
    else if (a == "--macro" && i + 1 < argc)
      macro = argv[++i];
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else {
      std::fprintf(
          stderr,
          "usage: %s --out macro.json [--quick] [--only list_cost|mixed] | --report --micro m.json "
          "--macro M.json\n",
          argv[0]);
      return 2;
    }
  }
  try {
    if (report) {
      std::cout << osapi::bench::render_report(micro, macro);
      return 0;
    }
    ::signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_ALL);
    const int rc = osapi::bench::run_all(out, quick, only);
    curl_global_cleanup();
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "macro bench failed: %s\n", e.what());
    return 1;
  }
}
