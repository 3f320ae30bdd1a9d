// One core subscription per API process on the jobs bucket's response writes
// ("$KV.<bucket>.responses.>"), dispatching each response to the request waiting for its job.
// Replaces a KV watch (an ephemeral JetStream consumer) per request: no consumer to create
// on the request path, no replay. Interest is registered before the job is published, so a
// response cannot arrive unseen; a reconnect gap is covered by the caller's final KV check.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "job/model.h"
#include "messaging/nats.h"

namespace osapi::job {

class ResponseRouter : public std::enable_shared_from_this<ResponseRouter> {
 public:
  class Waiter {
   public:
    // Next response for the job, waiting until `deadline`; nullopt on timeout.
    std::optional<JobResponse> next(std::chrono::steady_clock::time_point deadline);

   private:
    friend class ResponseRouter;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<JobResponse> items_;
  };

  static Result<std::shared_ptr<ResponseRouter>> start(messaging::Connection& conn,
                                                       const std::string& jobs_bucket);

  // Interest in one job's responses; released when the returned handle is destroyed.
  std::shared_ptr<Waiter> expect(const std::string& job_id);

 private:
  ResponseRouter() = default;
  void deliver(const std::string& subject, const std::string& data);

  std::string prefix_;  // "$KV.<bucket>.responses."
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<Waiter>> waiters_;
  std::unique_ptr<messaging::Subscription> sub_;
};

}  // namespace osapi::job
