// What earlier deliveries of a job left in the jobs KV. A job that started on a host never
// starts there again: a redelivery after a crash must not run a non-idempotent command twice.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "messaging/nats.h"

namespace osapi::agent {

struct PriorRun {
  enum class State {
    kNone,         // never started (here, or anywhere for `_any`): run it
    kFinished,     // started and answered: only the ack was lost
    kInterrupted,  // started, never answered: its agent died or stopped while it ran
  };
  State state = State::kNone;
  std::string hostname;  // the host that started it
  bool here = false;     // started by this agent (same machine id)
};

// The key of the run marker (job::run_marker_key) an agent writes before it runs a job:
// `any_host` for a job sent to `_any` (one marker for the job), else one per host. Its value is
// job::run_marker_value.
std::string run_marker_key(const std::string& job_id, const std::string& hostname, bool any_host);

// `any_host`: the job went to `_any`, so a start by any agent counts; otherwise only this
// agent's (its hostname in the key, its machine id in the marker). One exact-key read when the
// job never started (every first delivery); one more, of the host's newest response, when it
// did. An error means the KV could not be read.
Result<PriorRun> find_prior_run(messaging::KeyValue& jobs, const std::string& job_id,
                                const std::string& hostname, const std::string& machine_id,
                                bool any_host);

// The error an interrupted job is answered with.
std::string interrupted_error(const PriorRun& prior);

}  // namespace osapi::agent
