#include <unistd.h>

#include <future>
#include <memory>
#include <mutex>
#include <map>
#include <optional>
#include <thread>

#include "api/audit.h"
#include "api/authz.h"
#include "api/handlers.h"
#include "job/provision.h"
#include "common/strings.h"
#include "common/version.h"
#include "job/listing.h"

namespace osapi::api {

using json = nlohmann::ordered_json;

http::Response get_health(ApiContext&, http::Request&) {
  return http::Response::json(200, json{{"status", "ok"}});
}

http::Response get_version(ApiContext&, http::Request&) {
  return http::Response::json(200, json{{"version", osapi::version()}});
}

std::string format_uptime(std::chrono::nanoseconds elapsed) {
  const auto seconds = std::chrono::round<std::chrono::seconds>(elapsed);
  return format_go_duration(seconds.count() < 0 ? Nanos(0) : Nanos(seconds));
}

Result<JobCounts> count_jobs(job::JobClient& jobs) {
  // From the job index: what the bucket holds, without listing it.
  auto index = jobs.index();
  if (!index.ok()) return index.error();
  if (auto st = (*index)->sync(); !st.ok()) return st.error();
  const job::IndexCounts c = (*index)->counts();
  JobCounts counts;
  counts.keys = static_cast<size_t>(c.keys);
  counts.total = static_cast<size_t>(c.total);
  for (const auto& [status, n] : c.by_status) counts.by_status[status] = static_cast<size_t>(n);
  return counts;
}

namespace {

constexpr auto kCheckTimeout = std::chrono::seconds(2);

std::optional<std::string> nats_failure(const ApiContext& ctx) {
  if (!ctx.conn) return "NATS client unavailable";
  if (!ctx.conn->connected() || ctx.conn->connected_url().empty()) return "NATS not connected";
  return std::nullopt;
}

std::optional<std::string> kv_failure(const ApiContext& ctx) {
  if (!ctx.conn || !ctx.jobs_kv) return "KV bucket not accessible: NATS client unavailable";
  if (!ctx.conn->connected()) return "KV bucket not accessible: NATS not connected";
  auto kv = ctx.jobs_kv;
  auto fut = std::async(std::launch::async, [kv] { return kv->status(); });
  if (fut.wait_for(kCheckTimeout) != std::future_status::ready) {
    // The future's destructor would block; park it on a detached thread instead.
    std::thread([f = std::move(fut)]() mutable { f.wait(); }).detach();
    return "KV bucket not accessible: timeout";
  }
  auto st = fut.get();
  if (!st.ok()) return "KV bucket not accessible: " + st.error().message;
  return std::nullopt;
}

json component(const std::optional<std::string>& failure) {
  if (!failure) return json{{"status", "ok"}};
  return json{{"status", "error"}, {"error", *failure}};
}

// {"name","messages","bytes","consumers"}; nullopt when the lookup fails.
std::optional<json> stream_entry(messaging::Connection& conn, const std::string& name) {
  auto info = conn.stream_info(name);
  if (!info.ok()) return std::nullopt;
  return json{{"name", name},
              {"messages", info->messages},
              {"bytes", info->bytes},
              {"consumers", info->consumers}};
}

// {"name","keys","bytes"}; `keys` counts every key (not stream messages).
std::optional<json> bucket_entry(messaging::Connection& conn, const std::string& bucket,
                                 std::optional<size_t> known_keys = std::nullopt) {
  auto kv = conn.key_value(bucket);
  if (!kv.ok()) return std::nullopt;
  auto st = (*kv)->status();
  if (!st.ok()) return std::nullopt;
  size_t keys = 0;
  if (known_keys) {
    keys = *known_keys;
  } else {
    auto k = (*kv)->keys();
    if (!k.ok()) return std::nullopt;
    keys = k->size();
  }
  return json{{"name", bucket}, {"keys", keys}, {"bytes", st->bytes}};
}

}  // namespace

std::optional<std::string> readiness_failure(const ApiContext& ctx) {
  std::vector<std::string> failures;
  if (auto f = nats_failure(ctx)) failures.push_back(*f);
  if (auto f = kv_failure(ctx)) failures.push_back(*f);
  // A full jobs stream or bucket refuses every submission: not ready until it has room.
  if (failures.empty() && ctx.jobs)
    if (auto f = ctx.jobs->admission().full()) failures.push_back(*f + ": submissions refused");
  if (failures.empty()) return std::nullopt;
  return join(failures, "\n");
}

http::Response get_health_ready(ApiContext& ctx, http::Request&) {
  if (auto why = readiness_failure(ctx))
    return http::Response::json(503, json{{"status", "not_ready"}, {"error", *why}});
  return http::Response::json(200, json{{"status", "ready"}});
}

namespace {

std::string labels_text(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + ":" + v;
  return out;
}

// Time since an RFC 3339 instant as a Go duration of whole seconds ("" when unparsable).
std::string age_since(const std::string& when) {
  Clock::time_point t;
  if (!parse_rfc3339(when, t)) return "";
  return format_uptime(Clock::now() - t);
}

json registry_blocks(ApiContext& ctx, json& body) {
  auto entries = ctx.registry->components();
  if (!entries.ok()) return nullptr;
  json agents = json::array();
  json registry = json::array();
  size_t agent_count = 0;
  for (const auto& e : *entries) {
    const auto& a = e.info;
    if (e.type == "agent") {
      ++agent_count;
      json d{{"hostname", a.hostname}, {"registered", age_since(a.registered_at)}};
      if (!a.labels.empty()) d["labels"] = labels_text(a.labels);
      agents.push_back(std::move(d));
    }
    json r{{"type", e.type}, {"hostname", a.hostname}, {"status", "Ready"}};
    json conds = json::array();
    for (const auto& c : a.conditions)
      if (c.status) conds.push_back(c.type);
    if (!conds.empty()) r["conditions"] = conds;
    if (const auto age = age_since(a.started_at); !age.empty()) r["age"] = age;
    if (a.process_cpu_percent) r["cpu_percent"] = *a.process_cpu_percent;
    if (a.process_rss_bytes) r["mem_bytes"] = *a.process_rss_bytes;
    registry.push_back(std::move(r));
    // The other components' sub-components join this controller's. Several agents report
    // the same names: one that is not ok wins, so a failing part is never hidden.
    json& components = body["components"];
    for (const auto& [name, sc] : a.sub_components) {
      if (e.type == "controller" && name.rfind("controller.", 0) == 0 && components.contains(name))
        continue;
      if (components.contains(name) && components[name].value("status", "") != "ok") continue;
      json c{{"status", sc.status}};
      if (!sc.address.empty()) c["address"] = sc.address;
      components[name] = c;
    }
  }
  // Presence in the registry is what counts as ready: an entry expires without heartbeats.
  body["agents"] = json{{"total", agent_count}, {"ready", agent_count}, {"agents", agents}};
  body["registry"] = registry;
  return body;
}

}  // namespace

json health_status(ApiContext& ctx, int& code);

http::Response get_health_status(ApiContext& ctx, http::Request& req) {
  if (auto denied = authorize(req, ctx)) return *denied;
  auto& f = ctx.status_flight;
  std::unique_lock<std::mutex> lock(f.mu);
  if (f.running) {
    const uint64_t gen = f.generation;
    f.done.wait(lock, [&] { return f.generation != gen; });
    return f.answer;
  }
  f.running = true;
  lock.unlock();
  http::Response answer = http::Response::app_error(500, "health status failed");
  try {
    int code = 500;
    json body = health_status(ctx, code);
    answer = http::Response::json(code, body);
  } catch (...) {
    // Waiters get the error answer; this request's exception goes to the server's handler.
    lock.lock();
    f.running = false;
    ++f.generation;
    f.answer = answer;
    f.done.notify_all();
    throw;
  }
  lock.lock();
  f.running = false;
  ++f.generation;
  f.answer = answer;
  f.done.notify_all();
  return answer;
}

json health_status(ApiContext& ctx, int& code) {
  const auto nats_err = nats_failure(ctx);
  const auto kv_err = kv_failure(ctx);
  const bool ok = !nats_err && !kv_err;
  json body;
  body["status"] = ok ? "ok" : "degraded";
  json components = json::object();
  components["controller.nats (connectivity)"] = component(nats_err);
  components["controller.kv (connectivity)"] = component(kv_err);
  if (ctx.sub_components) {
    for (const auto& [name, sc] : ctx.sub_components()) {
      json c{{"status", sc.status}};
      if (!sc.address.empty()) c["address"] = sc.address;
      components[name] = c;
    }
  }
  body["components"] = components;
  body["version"] = osapi::version();
  body["uptime"] = format_uptime(Clock::now() - ctx.started);

  // Each section below is left out on its own when its lookup fails. A disconnected client
  // would only wait for JetStream timeouts, so nothing is looked up then.
  if (!nats_err) {
    auto& conn = *ctx.conn;
    const auto& names = ctx.jobs->names();
    json nats{{"url", conn.connected_url()}};
    if (const auto v = conn.server_version(); !v.empty()) nats["version"] = v;
    body["nats"] = nats;

    json streams = json::array();
    std::optional<uint64_t> dlq_messages;
    if (auto s = stream_entry(conn, names.stream)) streams.push_back(*s);
    if (auto s = stream_entry(conn, names.dlq)) {
      dlq_messages = (*s)["messages"].get<uint64_t>();
      streams.push_back(*s);
    }
    if (!names.audit_stream.empty())
      if (auto s = stream_entry(conn, names.audit_stream)) streams.push_back(*s);
    if (!streams.empty()) body["streams"] = streams;

    const auto counts = count_jobs(*ctx.jobs);
    std::optional<size_t> job_keys;
    if (counts.ok()) job_keys = counts->keys;
    json buckets = json::array();
    for (const auto& b : {names.jobs_bucket, names.registry_bucket, names.facts_bucket,
                          names.state_bucket, names.file_state_bucket}) {
      if (b.empty()) continue;
      if (auto e = bucket_entry(conn, b, b == names.jobs_bucket ? job_keys : std::nullopt))
        buckets.push_back(*e);
    }
    if (!buckets.empty()) body["kv_buckets"] = buckets;
    if (!names.objects_bucket.empty()) {
      if (auto o = conn.stream_info(job::object_store_stream(names.objects_bucket)); o.ok())
        body["object_stores"] =
            json::array({json{{"name", names.objects_bucket}, {"size", o->bytes}}});
    }

    if (counts.ok() && dlq_messages) {
      body["jobs"] = json{{"total", counts->total},
                          {"unprocessed", counts->count("submitted")},
                          {"processing", counts->count("processing")},
                          {"completed", counts->count("completed")},
                          {"failed", counts->count("failed")},
                          {"dlq", *dlq_messages}};
    }
    if (auto consumers = conn.consumers(names.stream); consumers.ok()) {
      json list = json::array();
      for (const auto& c : *consumers)
        list.push_back(json{{"name", c.name},
                            {"pending", c.num_pending},
                            {"ack_pending", c.num_ack_pending},
                            {"redelivered", c.num_redelivered}});
      body["consumers"] = json{{"total", consumers->size()}, {"consumers", list}};
    }
    registry_blocks(ctx, body);
  }
  code = ok ? 200 : 503;
  return body;
}

namespace {

// Job counts for /metrics, refreshed at most every few seconds: a scrape must not list the
// whole jobs bucket each time when several Prometheus servers scrape one API.
class CachedJobCounts {
 public:
  explicit CachedJobCounts(ApiContext& ctx) : ctx_(ctx) {}
  std::optional<std::pair<JobCounts, uint64_t>> get() {
    std::lock_guard<std::mutex> lk(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (value_ && now - at_ < std::chrono::seconds(5)) return value_;
    value_.reset();
    at_ = now;
    if (nats_failure(ctx_) || !ctx_.jobs_kv) return value_;
    auto counts = count_jobs(*ctx_.jobs);
    auto dlq = ctx_.conn->stream_info(ctx_.jobs->names().dlq);
    if (counts.ok() && dlq.ok()) value_ = std::make_pair(*counts, dlq->messages);
    return value_;
  }

 private:
  ApiContext& ctx_;
  std::mutex mu_;
  std::optional<std::pair<JobCounts, uint64_t>> value_;
  std::chrono::steady_clock::time_point at_;
};

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

std::unique_ptr<ApiMetrics> make_api_metrics(ApiContext& ctx) {
  auto metrics = std::make_unique<ApiMetrics>(osapi::version(), host_name());
  metrics->add_collector([&ctx](Exposition& out) {
    out.family("osapi_nats_connected", "gauge",
               "1 when the API server's NATS connection is up, else 0.");
    out.sample("osapi_nats_connected", {}, nats_failure(ctx) ? 0 : 1);
  });
  metrics->add_collector([&ctx](Exposition& out) {
    if (!ctx.registry || nats_failure(ctx)) return;
    auto agents = ctx.registry->live();
    if (!agents.ok()) return;
    out.family("osapi_agents_live", "gauge", "Agents currently registered as live.");
    out.sample("osapi_agents_live", {}, static_cast<double>(agents->size()));
  });
  metrics->add_collector([](Exposition& out) {
    out.family("osapi_audit_write_failures_total", "counter",
               "Audit entries that could not be written (failed or dropped).");
    out.sample("osapi_audit_write_failures_total", {}, static_cast<double>(audit_write_failures()));
  });
  metrics->add_collector([&ctx](Exposition& out) {
    if (!ctx.jobs) return;
    out.family("osapi_jobs_refused_total", "counter",
               "Job submissions refused: stream_full and bucket_full (no room, 503), "
               "publish_failed (the notification could not be published).");
    for (const auto& [reason, n] : ctx.jobs->admission().refusals())
      out.sample("osapi_jobs_refused_total", {{"reason", reason}}, static_cast<double>(n));
  });
  auto cache = std::make_shared<CachedJobCounts>(ctx);
  metrics->add_collector([cache](Exposition& out) {
    const auto counts = cache->get();
    if (!counts) return;
    out.family("osapi_jobs", "gauge", "Jobs in the jobs bucket by computed status.");
    for (const char* status :
         {"submitted", "processing", "completed", "failed", "partial_failure"}) {
      out.sample("osapi_jobs", {{"status", status}},
                 static_cast<double>(counts->first.count(status)));
    }
    out.family("osapi_jobs_dlq_messages", "gauge", "Messages in the dead-letter stream.");
    out.sample("osapi_jobs_dlq_messages", {}, static_cast<double>(counts->second));
  });
  return metrics;
}

}  // namespace osapi::api
