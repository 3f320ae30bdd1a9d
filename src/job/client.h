// API side of the job system (spec/jobs.md §6–7, §10): put the record, publish the
// notification with the trace context, await responses; read jobs back.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "job/model.h"
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
};

struct WaitOptions {
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);
  std::chrono::nanoseconds quiet = std::chrono::seconds(3);  // broadcast quiet period
  std::vector<std::string> expected_hosts;                   // broadcast early finish
};

class JobClient {
 public:
  JobClient(std::shared_ptr<messaging::Connection> conn, std::shared_ptr<messaging::KeyValue> jobs,
            Names names);

  // Writes jobs.<id> and the submitted event, then publishes the notification under a
  // PRODUCER span "publish <subject>" whose context travels in headers and record.
  Result<Submitted> submit(const json& operation, const Target& target, OpKind kind);

  // submit + wait: single target → first response; broadcast → collection.
  // Timeouts and "nobody answered" come back as kTimeout with the spec's messages.
  Result<Outcome> run(const json& operation, const Target& target, OpKind kind,
                      const WaitOptions& wait);

  // Computed view of one job; kNotFound "job not found: <id>".
  Result<JobView> get(const std::string& id);

  const Names& names() const { return names_; }

 private:
  Result<Submitted> submit_with_id(const std::string& id, const json& operation,
                                   const Target& target, OpKind kind);

  std::shared_ptr<messaging::Connection> conn_;
  std::shared_ptr<messaging::KeyValue> jobs_;
  Names names_;
};

}  // namespace osapi::job
