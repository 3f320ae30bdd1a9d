// JobClient's queries and maintenance over stored jobs: list, get a record, delete and retry.
// Submission and waiting live in client.cpp.
#include "common/ids.h"
#include "job/client.h"
#include "job/listing.h"
#include "logging/logger.h"

namespace osapi::job {

namespace {

constexpr const char* kApiHost = "_api";

Error job_not_found(const std::string& id) {
  return Error(ErrorCode::kNotFound, "job not found: " + id);
}

}  // namespace

Result<JobView> JobClient::view_of(const std::string& id,
                                   const std::vector<std::string>& event_keys,
                                   const std::vector<std::string>& response_keys) {
  auto rec_entry = jobs_->get(job_key(id));
  if (!rec_entry.ok()) return rec_entry.error().wrap("failed to get job");
  if (!rec_entry->has_value()) return job_not_found(id);
  auto rec = JobRecord::parse((*rec_entry)->value);
  if (!rec.ok()) return rec.error();

  // An event or response that vanished or does not parse is skipped, as in compute_status.
  std::vector<StatusEvent> events;
  for (const auto& k : event_keys) {
    auto e = jobs_->get(k);
    if (!e.ok()) return e.error().wrap("failed to get job event");
    if (!e->has_value()) continue;
    auto ev = StatusEvent::parse((*e)->value);
    if (ev.ok()) events.push_back(std::move(*ev));
  }
  std::vector<JobResponse> responses;
  for (const auto& k : response_keys) {
    auto e = jobs_->get(k);
    if (!e.ok()) return e.error().wrap("failed to get job response");
    if (!e->has_value()) continue;
    auto r = JobResponse::parse((*e)->value, key_unix_nano(k));
    if (r.ok()) responses.push_back(std::move(*r));
  }
  return compute_status(std::move(*rec), std::move(events), std::move(responses));
}

Result<JobRecord> JobClient::record(const std::string& id) {
  auto entry = jobs_->get(job_key(id));
  if (!entry.ok()) return entry.error().wrap("failed to get job");
  if (!entry->has_value()) return job_not_found(id);
  return JobRecord::parse((*entry)->value);
}

Result<std::shared_ptr<JobIndex>> JobClient::index() {
  std::lock_guard<std::mutex> lk(index_mu_);
  if (index_) return index_;
  auto st = jobs_->status();
  if (!st.ok()) return st.error().wrap("failed to list jobs");
  auto index = std::make_shared<JobIndex>(jobs_, st->ttl);
  if (auto started = index->start(); !started.ok())
    return started.error().wrap("failed to list jobs");
  index_ = index;
  return index_;
}

Result<JobPage> JobClient::list(const std::string& status, int64_t limit, int64_t offset) {
  auto index = this->index();
  if (!index.ok()) return index.error();
  if (auto st = (*index)->sync(); !st.ok()) return st.error().wrap("failed to list jobs");
  const IndexPage found = (*index)->page(status, limit, offset);

  JobPage page;
  page.total_items = found.total_items;
  page.status_counts = found.status_counts;
  for (const auto& job : found.items) {
    auto view = view_of(job.id, job.events, job.responses);
    if (!view.ok() && view.error().code == ErrorCode::kNotFound) continue;  // deleted meanwhile
    if (!view.ok()) return view.error();
    page.items.push_back(std::move(*view));
  }
  return page;
}

Status JobClient::del(const std::string& id) {
  auto rec = jobs_->get(job_key(id));
  if (!rec.ok()) return rec.error().wrap("failed to get job");
  if (!rec->has_value()) return job_not_found(id);
  // The record first: once it is gone the job no longer lists, whatever happens next.
  if (auto st = jobs_->purge(job_key(id)); !st.ok()) return st.error().wrap("failed to delete job");
  for (const auto& prefix : {status_prefix(id), responses_prefix(id), runs_prefix(id)}) {
    auto keys = jobs_->keys(prefix + ">");
    if (!keys.ok()) return keys.error().wrap("failed to delete job");
    for (const auto& k : *keys)
      if (auto st = jobs_->purge(k); !st.ok()) return st.error().wrap("failed to delete job");
  }
  return Status::Ok();
}

Result<Submitted> JobClient::retry(const std::string& id, const Target& target) {
  auto rec_entry = jobs_->get(job_key(id));
  if (!rec_entry.ok()) return rec_entry.error().wrap("failed to get job");
  if (!rec_entry->has_value()) return job_not_found(id);
  auto rec = JobRecord::parse((*rec_entry)->value);
  if (!rec.ok()) return rec.error();
  if (!rec->operation.is_object())
    return Error(ErrorCode::kInvalidArgument, "job has no operation data: " + id);

  // Same kind as the original (its subject says), else derived from the type.
  OpKind kind = kind_for_type(rec->type());
  if (auto parsed = parse_subject(rec->subject, names_.ns); parsed.ok()) kind = parsed->kind;

  auto sub =
      submit_with_id(uuid_v4(), rec->operation, target, kind, rec->traceparent, rec->tracestate);
  if (!sub.ok()) return sub.error();

  StatusEvent ev;
  ev.job_id = id;
  ev.event = "retried";
  ev.hostname = kApiHost;
  ev.unix_nano = unix_nano(Clock::now());
  ev.data = json{{"new_job_id", sub->job_id}, {"target_hostname", target.raw}};
  // The new job exists already; failing the request now would invite a duplicate retry.
  if (auto put = jobs_->put(ev.key(), ev.to_json().dump()); !put.ok())
    logging::warn("failed to record retried event",
                  {{"job_id", id}, {"new_job_id", sub->job_id}, {"error", put.error().message}});
  logging::info("job retried", {{"job_id", id}, {"new_job_id", sub->job_id}});
  return sub;
}

}  // namespace osapi::job
