#include "agent/unsent_answers.h"

#include <utility>

namespace osapi::agent {

void UnsentAnswers::keep(const std::string& job_id, JobAnswer answer) {
  std::lock_guard<std::mutex> lk(mu_);
  if (capacity_ == 0) return;
  if (answers_.insert_or_assign(job_id, std::move(answer)).second) order_.push_back(job_id);
  while (answers_.size() > capacity_ && !order_.empty()) {
    answers_.erase(order_.front());
    order_.pop_front();
  }
  // Ids taken since they were kept stay in order_: drop them from the front, and compact the
  // whole list when too many have piled up behind an answer that is still kept.
  while (!order_.empty() && answers_.count(order_.front()) == 0) order_.pop_front();
  if (order_.size() > 2 * capacity_) {
    std::deque<std::string> live;
    for (auto& id : order_)
      if (answers_.count(id) != 0) live.push_back(std::move(id));
    order_.swap(live);
  }
}

std::optional<JobAnswer> UnsentAnswers::take(const std::string& job_id) {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = answers_.find(job_id);
  if (it == answers_.end()) return std::nullopt;
  JobAnswer out = std::move(it->second);
  answers_.erase(it);
  return out;
}

size_t UnsentAnswers::size() const {
  std::lock_guard<std::mutex> lk(mu_);
  return answers_.size();
}

}  // namespace osapi::agent
