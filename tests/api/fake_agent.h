// A fake agent for the API tests: it registers in the registry KV the way an agent does
// (`agents.<machine-id*>`, the agent record of job/agent_record.h, rewritten as a heartbeat),
// optionally writes a facts record, and answers the jobs routed to it — by watching the job
// records in the jobs bucket and matching their subjects — with a scripted response, or not at
// all (an agent that stopped answering). Lets a test produce `failed`, `skipped` and silent
// hosts, machine-id targets and labels that a real agent cannot be made to produce on demand.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "common/time.h"
#include "config/config.h"
#include "job/agent_record.h"
#include "job/model.h"
#include "job/subjects.h"
#include "messaging/nats.h"

namespace osapi::api::testing {

// What the agent answers: status completed | failed | skipped, data, error, changed.
struct FakeReply {
  std::string status = "completed";
  nlohmann::ordered_json data = nullptr;
  std::string error;
  std::optional<bool> changed;
};

inline FakeReply reply_ok(nlohmann::ordered_json data = nullptr,
                          std::optional<bool> changed = std::nullopt) {
  return FakeReply{"completed", std::move(data), "", changed};
}
inline FakeReply reply_failed(std::string error) {
  return FakeReply{"failed", nullptr, std::move(error), std::nullopt};
}
// What a provider without an implementation for the agent's OS family answers.
inline FakeReply reply_skipped() {
  return FakeReply{"skipped", nullptr, "operation not supported on this OS family", std::nullopt};
}

struct FakeAgentOptions {
  std::string hostname;
  std::string machine_id;  // "" = "mid-<hostname>"
  std::map<std::string, std::string> labels;
  std::string state = job::kStateReady;
  bool silent = false;  // registered, never answers
  // The job's type and data → the reply; null = reply_ok().
  std::function<FakeReply(const std::string& type, const nlohmann::ordered_json& data)> reply;
  // Extra registry fields merged into the record (os_info, memory_stats, conditions …).
  nlohmann::ordered_json record_extra = nlohmann::ordered_json::object();
  // Written to facts.<machine-id*> in the facts bucket when not null.
  nlohmann::ordered_json facts = nullptr;
};

class FakeAgent {
 public:
  FakeAgent(const std::string& nats_url, const config::Config& cfg, const std::string& ns,
            FakeAgentOptions options)
      : opt_(std::move(options)), names_(job::Names::from(cfg, ns)) {
    if (opt_.machine_id.empty()) opt_.machine_id = "mid-" + opt_.hostname;
    messaging::ConnectOptions o;
    o.url = nats_url;
    o.name = "fake-agent-" + opt_.hostname;
    auto conn = messaging::Connection::connect(o);
    EXPECT_TRUE(conn.ok()) << (conn.ok() ? "" : conn.error().message);
    if (!conn.ok()) return;
    conn_ = *conn;
    auto jobs = conn_->key_value(names_.jobs_bucket);
    auto registry = conn_->key_value(names_.registry_bucket);
    EXPECT_TRUE(jobs.ok() && registry.ok()) << "start the API before a fake agent";
    if (!jobs.ok() || !registry.ok()) return;
    jobs_ = *jobs;
    registry_ = *registry;
    started_at_ = rfc3339_nano(Clock::now());
    EXPECT_TRUE(heartbeat()) << "fake agent " << opt_.hostname << " could not register";
    if (!opt_.facts.is_null()) {
      auto facts = conn_->key_value(config::ns_name(ns, cfg.nats.facts.bucket));
      EXPECT_TRUE(facts.ok()) << (facts.ok() ? "" : facts.error().message);
      if (facts.ok()) {
        const std::string key = "facts." + sanitize_subject_token(opt_.machine_id);
        EXPECT_TRUE((*facts)->put(key, opt_.facts.dump()).ok());
      }
    }
    auto w = jobs_->watch("jobs.>");
    EXPECT_TRUE(w.ok());
    if (!w.ok()) return;
    watcher_ = std::move(*w);
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeAgent() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (registry_) (void)registry_->del(registry_key());
    if (conn_) conn_->close();
  }
  FakeAgent(const FakeAgent&) = delete;
  FakeAgent& operator=(const FakeAgent&) = delete;

  const std::string& hostname() const { return opt_.hostname; }
  const std::string& machine_id() const { return opt_.machine_id; }
  std::string registry_key() const { return job::registry_key(opt_.machine_id); }

 private:
  // Rewrites the registration (a fresh registered_at); false when the write failed.
  bool heartbeat() {
    job::AgentInfo info;
    info.machine_id = opt_.machine_id;
    info.hostname = opt_.hostname;
    info.labels = opt_.labels;
    info.registered_at = rfc3339_nano(Clock::now());
    info.started_at = started_at_;
    info.state = opt_.state;
    auto record = info.to_json();
    record.update(opt_.record_extra);
    last_heartbeat_ = std::chrono::steady_clock::now();
    return registry_->put(registry_key(), record.dump()).ok();
  }

  // The subject routes the job to this agent: _any, _all, its direct subject (by machine id)
  // or one of its labels (exact value or a dotted prefix of it).
  bool routed_here(const std::string& subject) const {
    auto parsed = job::parse_subject(subject, names_.ns);
    if (!parsed.ok()) return false;
    const job::Target& t = parsed->target;
    switch (t.kind) {
      case job::TargetKind::kAny:
      case job::TargetKind::kAll:
        return true;
      case job::TargetKind::kHost:
        return t.raw == sanitize_subject_token(opt_.machine_id);
      case job::TargetKind::kLabel:
        return job::label_matches(opt_.labels, t.label_key, t.label_value);
    }
    return false;
  }

  void put_event(const std::string& id, const std::string& event, nlohmann::ordered_json data) {
    job::StatusEvent e;
    e.job_id = id;
    e.event = event;
    e.hostname = opt_.hostname;
    e.unix_nano = unix_nano(Clock::now());
    e.data = std::move(data);
    (void)jobs_->put(e.key(), e.to_json().dump());
  }

  void answer(const job::JobRecord& rec) {
    if (opt_.silent) return;
    const auto& op = rec.operation;
    const nlohmann::ordered_json data =
        op.is_object() && op.contains("data") ? op["data"] : nlohmann::ordered_json::object();
    const FakeReply reply = opt_.reply ? opt_.reply(rec.type(), data) : reply_ok();
    put_event(rec.id, "acknowledged", {{"subject", rec.subject}});
    put_event(rec.id, "started", nlohmann::ordered_json::object());
    put_event(rec.id, reply.status,
              reply.error.empty() ? nlohmann::ordered_json::object()
                                  : nlohmann::ordered_json{{"error", reply.error}});
    job::JobResponse r;
    r.job_id = rec.id;
    r.status = reply.status;
    r.data = reply.data;
    r.error = reply.error;
    r.changed = reply.changed;
    r.hostname = opt_.hostname;
    r.unix_nano = unix_nano(Clock::now());
    (void)jobs_->put(r.key(), r.to_json().dump());
  }

  void loop() {
    while (!stop_) {
      if (std::chrono::steady_clock::now() - last_heartbeat_ > std::chrono::seconds(2))
        (void)heartbeat();  // best effort, as an agent's
      auto e = watcher_->next(std::chrono::milliseconds(100));
      // Jobs that existed before this agent started are not its business.
      if (!e.ok() || !*e || (*e)->deleted || !watcher_->initial_done()) continue;
      auto rec = job::JobRecord::parse((*e)->value);
      if (rec.ok() && routed_here(rec->subject)) answer(*rec);
    }
  }

  FakeAgentOptions opt_;
  job::Names names_;
  std::shared_ptr<messaging::Connection> conn_;
  std::shared_ptr<messaging::KeyValue> jobs_;
  std::shared_ptr<messaging::KeyValue> registry_;
  std::unique_ptr<messaging::Watcher> watcher_;
  std::string started_at_;
  std::chrono::steady_clock::time_point last_heartbeat_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace osapi::api::testing
