// Runs one delivered job notification to its end: continue the trace in a `job.process` span,
// read the job record, refuse to start it again when an earlier delivery already started it,
// write the acknowledged/started events, resolve @fact. references in the job data, dispatch to
// a provider, write the terminal event and the response, then ack. A job runs at most once per
// host: once started, every outcome is final; only failures before the start (KV unreadable,
// facts not gathered yet) are left for redelivery.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "agent/facts_collector.h"
#include "agent/identity.h"
#include "agent/job_stats.h"
#include "agent/progress_ticker.h"
#include "agent/unsent_answers.h"
#include "config/config.h"
#include "job/subjects.h"
#include "messaging/nats.h"
#include "provider/command.h"

namespace osapi::agent {

class JobProcessor {
 public:
  // `commands` (may be null) tracks the commands jobs run, so the agent can kill them on stop.
  JobProcessor(const config::Config& cfg, job::Names names,
               std::shared_ptr<messaging::KeyValue> jobs, std::string machine_id,
               const HostnameCell& hostname, const FactsCollector& facts, ProgressTicker& ticker,
               provider::ProcessGroups* commands = nullptr);

  // `durable` names the consumer the message came from (a span attribute).
  void process(messaging::Message msg, const std::string& durable);

  const JobStats& stats() const { return stats_; }

 private:
  // Marks a job as running in this process for the lifetime of the object.
  class InFlight {
   public:
    InFlight(JobProcessor& p, const std::string& job_id);
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    bool claimed() const { return claimed_; }

   private:
    JobProcessor& p_;
    const std::string job_id_;
    bool claimed_ = false;
  };

  // The job record when a first read did not find it: replicas of the bucket may still be
  // catching up with the controller's put. Tries again with backoff for a bounded time (about
  // 0.6 s), each time also reading the revision the notification names (`revision`, 0 when it
  // names none) from the stream leader.
  Result<std::optional<messaging::KvEntry>> await_record(const std::string& job_id,
                                                         uint64_t revision);

  // nak with back_off[delivery-1]; at once on the last delivery (the DLQ gets it then).
  void retry_later(messaging::Message& msg, uint64_t delivery);

  const config::Config& cfg_;
  const job::Names names_;
  std::shared_ptr<messaging::KeyValue> jobs_;
  const std::string machine_id_;
  const HostnameCell& hostname_;
  const FactsCollector& facts_;
  ProgressTicker& ticker_;
  provider::ProcessGroups* commands_;
  JobStats stats_;
  std::mutex in_flight_mu_;
  std::set<std::string> in_flight_;
  UnsentAnswers unsent_;
};

}  // namespace osapi::agent
