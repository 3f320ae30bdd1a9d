// A job is stored (jobs.<id>) before its notification is published. A controller killed
// between the two writes, or a broker lost in between, would leave a job that no agent ever
// hears of, "submitted" forever. The sweep publishes the notification again for every job that
// has a record but no event at all (the controller writes "submitted" only after a publish
// went through), with the job id as the message id: the jobs stream drops it when the first
// publish was stored after all (its duplicate window is 2 minutes), else the job is dispatched
// now. Only jobs younger than 90 s are swept, well inside that window, so a notification is
// never stored twice.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common/result.h"
#include "job/job_index.h"
#include "messaging/nats.h"

namespace osapi::job {

struct SweepOptions {
  std::chrono::seconds min_age{5};   // younger jobs may be mid-submit: leave them to it
  std::chrono::seconds max_age{90};  // inside the stream's 2-minute duplicate window
};

// One pass; returns how many notifications were published again.
Result<int> sweep_undispatched(messaging::Connection& conn, messaging::KeyValue& jobs,
                               JobIndex& index, const SweepOptions& opts = {});

// Runs the sweep at start and then every `every`, while the connection is up.
class DispatchSweeper {
 public:
  using IndexSource = std::function<Result<std::shared_ptr<JobIndex>>()>;
  DispatchSweeper(std::shared_ptr<messaging::Connection> conn,
                  std::shared_ptr<messaging::KeyValue> jobs, IndexSource index,
                  std::chrono::seconds every = std::chrono::seconds(10));
  ~DispatchSweeper();  // stops and joins
  DispatchSweeper(const DispatchSweeper&) = delete;
  DispatchSweeper& operator=(const DispatchSweeper&) = delete;

 private:
  void loop();

  std::shared_ptr<messaging::Connection> conn_;
  std::shared_ptr<messaging::KeyValue> jobs_;
  IndexSource index_;
  const std::chrono::seconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace osapi::job
