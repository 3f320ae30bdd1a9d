// Runs one delivered job notification to its end: continue the trace in a `job.process` span,
// read the job record, write the acknowledged/started events, resolve @fact. references in the
// job data, dispatch to a provider, write the terminal event and the response, then ack
// (completed, skipped), term (cannot succeed on retry) or nak with back-off (may succeed later).
#pragma once

#include <memory>
#include <string>

#include "agent/facts_collector.h"
#include "agent/identity.h"
#include "agent/job_stats.h"
#include "agent/progress_ticker.h"
#include "config/config.h"
#include "job/subjects.h"
#include "messaging/nats.h"

namespace osapi::agent {

class JobProcessor {
 public:
  JobProcessor(const config::Config& cfg, job::Names names,
               std::shared_ptr<messaging::KeyValue> jobs, const HostnameCell& hostname,
               const FactsCollector& facts, ProgressTicker& ticker);

  // `durable` names the consumer the message came from (a span attribute).
  void process(messaging::Message msg, const std::string& durable);

  const JobStats& stats() const { return stats_; }

 private:
  const config::Config& cfg_;
  const job::Names names_;
  std::shared_ptr<messaging::KeyValue> jobs_;
  const HostnameCell& hostname_;
  const FactsCollector& facts_;
  ProgressTicker& ticker_;
  JobStats stats_;
};

}  // namespace osapi::agent
