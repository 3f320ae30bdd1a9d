#include "job/response_router.h"

namespace osapi::job {

Result<std::shared_ptr<ResponseRouter>> ResponseRouter::start(messaging::Connection& conn,
                                                              const std::string& jobs_bucket) {
  std::shared_ptr<ResponseRouter> router(new ResponseRouter());
  router->prefix_ = "$KV." + jobs_bucket + ".responses.";
  std::weak_ptr<ResponseRouter> weak = router;
  auto sub = conn.subscribe(router->prefix_ + ">", [weak](messaging::Message&& m) {
    if (auto self = weak.lock()) self->deliver(m.subject(), m.data());
  });
  if (!sub.ok()) return sub.error().wrap("failed to subscribe to job responses");
  router->sub_ = std::move(*sub);
  return router;
}

std::shared_ptr<ResponseRouter::Waiter> ResponseRouter::expect(const std::string& job_id) {
  std::weak_ptr<ResponseRouter> weak = weak_from_this();
  auto waiter = std::shared_ptr<Waiter>(new Waiter(), [weak, job_id](Waiter* w) {
    if (auto self = weak.lock()) {
      std::lock_guard<std::mutex> lk(self->mu_);
      auto it = self->waiters_.find(job_id);
      if (it != self->waiters_.end() && it->second.expired()) self->waiters_.erase(it);
    }
    delete w;
  });
  std::lock_guard<std::mutex> lk(mu_);
  waiters_[job_id] = waiter;
  return waiter;
}

void ResponseRouter::deliver(const std::string& subject, const std::string& data) {
  if (data.empty() || subject.compare(0, prefix_.size(), prefix_) != 0) return;  // delete marker
  const std::string key = subject.substr(prefix_.size());  // <id>.<host>.<unix_nano>
  const std::string job_id = key.substr(0, key.find('.'));
  std::shared_ptr<Waiter> w;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = waiters_.find(job_id);
    if (it == waiters_.end()) return;
    w = it->second.lock();
  }
  if (!w) return;
  auto resp = JobResponse::parse(data, key_unix_nano(key));
  if (!resp.ok()) return;
  if (resp->job_id.empty()) resp->job_id = job_id;
  {
    std::lock_guard<std::mutex> lk(w->mu_);
    w->items_.push_back(std::move(*resp));
  }
  w->cv_.notify_all();
}

std::optional<JobResponse> ResponseRouter::Waiter::next(
    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lk(mu_);
  if (!cv_.wait_until(lk, deadline, [&] { return !items_.empty(); })) return std::nullopt;
  JobResponse r = std::move(items_.front());
  items_.pop_front();
  return r;
}

}  // namespace osapi::job
