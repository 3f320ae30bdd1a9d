#include "job/dispatch_sweep.h"

#include "common/headers.h"
#include "job/model.h"
#include "logging/logger.h"

namespace osapi::job {

Result<int> sweep_undispatched(messaging::Connection& conn, messaging::KeyValue& jobs,
                               JobIndex& index, const SweepOptions& opts) {
  if (auto st = index.sync(); !st.ok()) return st.error();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  int published = 0;
  for (const auto& job : index.page("submitted", 0, 0).items) {
    if (!job.events.empty() || !job.responses.empty()) continue;
    const int64_t age = now - job.created_second;
    if (age < opts.min_age.count() || age > opts.max_age.count()) continue;
    auto entry = jobs.get(job_key(job.id));
    if (!entry.ok()) return entry.error();
    if (!entry->has_value()) continue;  // deleted meanwhile
    auto rec = JobRecord::parse((*entry)->value);
    if (!rec.ok() || rec->subject.empty()) continue;
    Headers headers;
    if (!rec->traceparent.empty()) headers.emplace_back("traceparent", rec->traceparent);
    if (!rec->tracestate.empty()) headers.emplace_back("tracestate", rec->tracestate);
    auto pub = conn.js_publish(rec->subject, job.id, headers, job.id);
    if (!pub.ok()) return pub.error().wrap("failed to publish job notification");
    logging::warn("job without any event: notification published again (a duplicate is dropped)",
                  {{"job_id", job.id}, {"subject", rec->subject}, {"age_s", age}});
    ++published;
  }
  return published;
}

DispatchSweeper::DispatchSweeper(std::shared_ptr<messaging::Connection> conn,
                                 std::shared_ptr<messaging::KeyValue> jobs, IndexSource index,
                                 std::chrono::seconds every)
    : conn_(std::move(conn)),
      jobs_(std::move(jobs)),
      index_(std::move(index)),
      every_(every),
      thread_([this] { loop(); }) {}

DispatchSweeper::~DispatchSweeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DispatchSweeper::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    if (conn_->connected()) {
      auto index = index_();
      auto r =
          index.ok() ? sweep_undispatched(*conn_, *jobs_, **index) : Result<int>(index.error());
      if (!r.ok()) logging::debug("dispatch sweep skipped", {{"error", r.error().message}});
    }
    lock.lock();
    cv_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

}  // namespace osapi::job
