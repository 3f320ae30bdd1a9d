#include "list_cost.h"

#include <nats/nats.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "http_load.h"
#include "load.h"
#include "stack.h"

namespace osapi::bench {

namespace {

using json = nlohmann::json;
using std::chrono::seconds;

struct NatsHandle {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  ~NatsHandle() {
    if (js) jsCtx_Destroy(js);
    if (nc) natsConnection_Destroy(nc);
  }
};

void check(natsStatus s, const char* what) {
  if (s != NATS_OK) throw std::runtime_error(std::string(what) + ": " + natsStatus_GetText(s));
}

void publish(NatsHandle& h, const std::string& subject, const std::string& body) {
  for (;;) {
    const natsStatus s =
        js_PublishAsync(h.js, subject.c_str(), body.data(), static_cast<int>(body.size()), nullptr);
    if (s == NATS_OK) return;
    if (s != NATS_TIMEOUT && s != NATS_INSUFFICIENT_BUFFER && s != NATS_ERR) check(s, "publish");
    js_PublishAsyncComplete(h.js, nullptr);  // too many pending: wait for acks, then retry
  }
}

// `count` more jobs (record + submitted event; every tenth also completed) and as many audit
// entries, numbered from `first`.
void fill(NatsHandle& h, size_t first, size_t count) {
  const int64_t base = unix_nano(Clock::now());
  for (size_t i = first; i < first + count; ++i) {
    const std::string id = uuid_v4();
    const int64_t t = base + static_cast<int64_t>(i) * 1000;
    const std::string created = rfc3339(from_unix_nano(t));
    publish(h, "$KV.osapi-job-queue.jobs." + id,
            json{{"id", id},
                 {"created", created},
                 {"subject", "osapi.jobs.query._any"},
                 {"operation", {{"type", "node.hostname.get"}, {"data", json::object()}}}}
                .dump());
    publish(
        h, "$KV.osapi-job-queue.status." + id + ".submitted._api." + std::to_string(t),
        json{{"job_id", id}, {"event", "submitted"}, {"hostname", "_api"}, {"timestamp", created}}
            .dump());
    if (i % 10 == 0)
      publish(h, "$KV.osapi-job-queue.status." + id + ".completed.bench." + std::to_string(t + 1),
              json{{"job_id", id}, {"event", "completed"}, {"hostname", "bench"}}.dump());
    const std::string audit_id = uuid_v7();
    publish(h, "osapi.audit." + audit_id,
            json{{"id", audit_id},
                 {"timestamp", created},
                 {"user", "bench@osapi"},
                 {"roles", {"admin"}},
                 {"method", "GET"},
                 {"path", "/api/node/_any/hostname"},
                 {"source_ip", "127.0.0.1"},
                 {"response_code", 200},
                 {"duration_ms", 1}}
                .dump());
  }
  jsPubOptions o;
  jsPubOptions_Init(&o);
  o.MaxWait = 60000;
  check(js_PublishAsyncComplete(h.js, &o), "publish complete");
}

}  // namespace

json run_list_cost(bool quick) {
  std::fprintf(stderr, "== list cost at 1k / 10k / 100k records ==\n");
  testing::StackOptions opts;
  opts.exporter = "";
  opts.agents.clear();
  testing::Stack stack(opts);
  stack.start_nats();
  stack.start_api();
  const std::vector<std::string> auth{"Authorization: Bearer " + stack.token("admin")};

  NatsHandle h;
  const std::string url = "nats://127.0.0.1:" + std::to_string(stack.nats_port());
  check(natsConnection_ConnectTo(&h.nc, url.c_str()), "connect");
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 4096;
  check(natsConnection_JetStream(&h.js, h.nc, &jo), "jetstream");

  const std::vector<size_t> sizes = {1000, 10000, 100000};
  const size_t requests = quick ? 20 : 200;
  json out{{"sizes", sizes}, {"routes", json::object()}};
  size_t filled = 0;
  for (size_t size : sizes) {
    fill(h, filled, size - filled);
    filled = size;
    const std::string api = stack.api_url();
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"GET /api/job?limit=10", api + "/api/job?limit=10"},
        {"GET /api/job?limit=10 (last page)",
         api + "/api/job?limit=10&offset=" + std::to_string(size - 10)},
        {"GET /api/job?status=completed&limit=10", api + "/api/job?status=completed&limit=10"},
        {"GET /api/audit?limit=10", api + "/api/audit?limit=10"},
        {"GET /api/audit?limit=10 (last page)",
         api + "/api/audit?limit=10&offset=" + std::to_string(size - 10)},
    };
    for (const auto& [name, route] : routes) {
      closed_loop(1, 5, seconds(60), curl_get(route, auth));  // the index catches up here
      LoadResult r = closed_loop(1, requests, seconds(60), curl_get(route, auth));
      std::fprintf(stderr, "  %7zu records  %-42s p50 %9.1f us  p99 %9.1f us  errors %zu%s%s\n",
                   size, name.c_str(), r.p50_us, r.p99_us, r.errors,
                   r.first_error.empty() ? "" : "  ", r.first_error.c_str());
      out["routes"][name][std::to_string(size)] = json{{"p50_us", r.p50_us},
                                                       {"p99_us", r.p99_us},
                                                       {"errors", r.errors},
                                                       {"requests", r.requests}};
    }
  }
  stack.stop_all();
  return out;
}

namespace {

// The nats-server child of the `osapi nats server start` supervisor (0 when not found).
pid_t nats_server_child(pid_t supervisor) {
  std::ifstream in("/proc/" + std::to_string(supervisor) + "/task/" + std::to_string(supervisor) +
                   "/children");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

}  // namespace

json run_mixed_load(bool quick) {
  std::fprintf(stderr, "== mixed load: 64 clients ==\n");
  testing::StackOptions opts;
  opts.exporter = "";
  testing::Stack stack(opts);
  stack.start_all();
  const std::vector<std::string> auth{"Authorization: Bearer " + stack.token("admin")};
  const std::string api = stack.api_url();
  // One job to read back, made by a real round trip.
  closed_loop(1, 20, seconds(30), curl_get(api + "/api/node/_any/hostname", auth));
  const auto listed = stack.curl({"-s", "-H", auth[0], api + "/api/job?limit=1"});
  std::string job_id;
  try {
    job_id = json::parse(listed.out).at("items").at(0).at("id").get<std::string>();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("mixed load: no job to read: ") + listed.out);
  }
  const std::vector<std::string> urls = {
      api + "/api/node/_any/hostname", api + "/api/job?limit=10",   api + "/api/job/" + job_id,
      api + "/api/health/status",      api + "/api/audit?limit=10",
  };
  const pid_t nats = nats_server_child(stack.nats()->pid());
  const std::vector<pid_t> pids{nats, stack.api()->pid(), stack.agent()->pid()};
  auto rss_now = [&pids] {
    json kib;
    const char* names[] = {"nats", "controller", "agent"};
    for (size_t i = 0; i < pids.size(); ++i) kib[names[i]] = proc_status_kib(pids[i], "VmRSS");
    return kib;
  };
  RssSampler rss(pids);
  const size_t total = quick ? 2000 : 20000;
  LoadResult r = closed_loop(64, total, seconds(600), curl_get_cycle(urls, auth));
  const json after_first = rss_now();
  // The same load once more: memory that is not bounded keeps growing between the two
  // readings; bounded memory stays flat once warmed up by the first round.
  LoadResult again = closed_loop(64, total, seconds(600), curl_get_cycle(urls, auth));
  const json after_second = rss_now();
  const auto peak = rss.finish();
  std::fprintf(stderr,
               "  sustained round: %zu requests  errors %zu  p99 %.1f us; RSS after round 1 / 2: "
               "nats %ld / %ld KiB, controller %ld / %ld KiB, agent %ld / %ld KiB\n",
               again.requests, again.errors, again.p99_us, after_first.value("nats", 0L),
               after_second.value("nats", 0L), after_first.value("controller", 0L),
               after_second.value("controller", 0L), after_first.value("agent", 0L),
               after_second.value("agent", 0L));
  std::fprintf(stderr,
               "  %zu requests  errors %zu  p50 %.1f us  p99 %.1f us  %.0f req/s  peak RSS nats "
               "%ld KiB, controller %ld KiB, agent %ld KiB%s%s\n",
               r.requests, r.errors, r.p50_us, r.p99_us, r.rps(), peak[0], peak[1], peak[2],
               r.first_error.empty() ? "" : "  first error: ", r.first_error.c_str());
  json out{{"requests", r.requests},
           {"errors", r.errors},
           {"p50_us", r.p50_us},
           {"p99_us", r.p99_us},
           {"rps", r.rps()},
           {"first_error", r.first_error},
           {"rss_peak_kib", {{"nats", peak[0]}, {"controller", peak[1]}, {"agent", peak[2]}}},
           {"sustained",
            {{"requests", again.requests},
             {"errors", again.errors},
             {"p99_us", again.p99_us},
             {"rss_after_round1_kib", after_first},
             {"rss_after_round2_kib", after_second}}}};
  stack.stop_all();
  return out;
}

}  // namespace osapi::bench
