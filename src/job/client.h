// API side of the job system: put the record, publish the
// notification with the trace context, await responses; read jobs back.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "job/admission.h"
#include "job/job_index.h"
#include "job/model.h"
#include "job/response_router.h"
#include "job/status.h"
#include "job/subjects.h"
#include "messaging/nats.h"

namespace osapi::job {

struct Submitted {
  std::string job_id;
  uint64_t revision = 0;
  std::string subject;
  std::string created;  // RFC 3339 seconds
};

struct Outcome {
  std::string job_id;
  std::vector<JobResponse> responses;  // single: exactly one; broadcast: successes first
  std::vector<std::string> missing;    // broadcast: expected hosts that did not answer in time
};

// One page of GET /api/job: total_items counts every job matching the filter; status_counts
// counts every job by status (all of job_statuses() present, zeros kept).
struct JobPage {
  int64_t total_items = 0;
  std::map<std::string, int64_t> status_counts;
  std::vector<JobView> items;
};

struct WaitOptions {
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);  // controller.api.job_timeout
  std::vector<std::string> expected_hosts;                      // broadcast: who must answer
};

class JobClient {
 public:
  JobClient(std::shared_ptr<messaging::Connection> conn, std::shared_ptr<messaging::KeyValue> jobs,
            Names names);

  // Writes jobs.<id> and the submitted event, then publishes the notification under a
  // PRODUCER span "publish <subject>" whose context travels in headers and record.
  // A full jobs bucket or stream refuses the job: kUnavailable naming the full resource (see
  // Admission). When the publish fails after the record was written, the record gets a
  // `failed` event from _api with the reason (or is deleted when that cannot be written), so
  // no job stays "submitted" without a notification; the error names the job.
  Result<Submitted> submit(const json& operation, const Target& target, OpKind kind);

  // submit + wait: single target → first response; broadcast → collection.
  // Timeouts and "nobody answered" come back as kTimeout with the spec's messages.
  Result<Outcome> run(const json& operation, const Target& target, OpKind kind,
                      const WaitOptions& wait);

  // Computed view of one job; kNotFound "job not found: <id>".
  Result<JobView> get(const std::string& id);

  // The stored record; kNotFound "job not found: <id>".
  Result<JobRecord> record(const std::string& id);

  // Newest first by created, then id. `status` "" = all; limit 0 = all. Served from the job
  // index (as fresh as the bucket); only the page's jobs are read.
  Result<JobPage> list(const std::string& status, int64_t limit, int64_t offset);

  // The index of the jobs bucket, started on first use (the controller starts it at start-up
  // so no request waits for the initial replay).
  Result<std::shared_ptr<JobIndex>> index();

  // Removes jobs.<id> and purges its events and responses; kNotFound when there is no job.
  Status del(const std::string& id);

  // A new job with the original operation for `target`, whose publish span links to the
  // original job's trace context; appends a `retried` event to the original.
  // kNotFound "job not found: <id>"; kInvalidArgument "job has no operation data: <id>".
  Result<Submitted> retry(const std::string& id, const Target& target);

  const Names& names() const { return names_; }
  // Refusal counts and the full-resource state (metrics, readiness).
  Admission& admission() { return *admission_; }

 private:
  // `link` (a traceparent, may be "") becomes a link on the publish span (retries).
  Result<Submitted> submit_with_id(const std::string& id, const json& operation,
                                   const Target& target, OpKind kind,
                                   const std::string& link_traceparent = "",
                                   const std::string& link_tracestate = "");
  // The record of `id` was written but its notification was not published: append the
  // failed event (or delete the record when even that fails).
  void abandon(const std::string& id, const std::string& reason);
  // The computed view from already-listed event and response keys.
  Result<JobView> view_of(const std::string& id, const std::vector<std::string>& event_keys,
                          const std::vector<std::string>& response_keys);

  // The process-wide response subscription, started on first use.
  Result<std::shared_ptr<ResponseRouter>> router();

  std::shared_ptr<messaging::Connection> conn_;
  std::shared_ptr<messaging::KeyValue> jobs_;
  Names names_;
  std::unique_ptr<Admission> admission_;
  std::mutex router_mu_;
  std::shared_ptr<ResponseRouter> router_;
  std::mutex index_mu_;
  std::shared_ptr<JobIndex> index_;
};

}  // namespace osapi::job
