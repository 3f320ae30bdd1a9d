// What earlier deliveries of a job left in the jobs KV. A job that started on a host never
// starts there again: a redelivery after a crash must not run a non-idempotent command twice.
#pragma once

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

// `any_host`: the job went to `_any`, so a start by any agent counts; otherwise only this
// agent's (its hostname in the key, its machine id in the event). Two KV round trips at most;
// an error means the KV could not be read.
Result<PriorRun> find_prior_run(messaging::KeyValue& jobs, const std::string& job_id,
                                const std::string& hostname, const std::string& machine_id,
                                bool any_host);

// The error an interrupted job is answered with.
std::string interrupted_error(const PriorRun& prior);

}  // namespace osapi::agent
