// Answers this agent computed but could not store: the broker was away through every retry of
// the response write, so the job's notification was left for redelivery. That delivery finds
// the job started here and not answered; it writes the kept answer instead of reporting the
// job interrupted, so a result is not lost to a short NATS outage. Kept in memory only: after
// an agent restart the answer is gone and the job is answered "agent restarted while the job
// was running" (it never runs twice).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace osapi::agent {

// The terminal event and the response of one job on this host.
struct JobAnswer {
  std::string event;  // completed | failed | skipped
  nlohmann::ordered_json event_data;
  std::string status;
  nlohmann::ordered_json data;
  std::string error;
};

class UnsentAnswers {
 public:
  // At most `capacity` answers are kept; the oldest goes first.
  explicit UnsentAnswers(size_t capacity = 1024) : capacity_(capacity) {}

  void keep(const std::string& job_id, JobAnswer answer);
  // Removes and returns the answer kept for `job_id`, if any.
  std::optional<JobAnswer> take(const std::string& job_id);
  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::string, JobAnswer> answers_;
  std::deque<std::string> order_;  // job ids, oldest first (may name ids already taken)
};

}  // namespace osapi::agent
