// Batched asynchronous JetStream publishes with one outcome per message.
#include <nats/nats.h>

#include <mutex>
#include <unordered_map>

#include "messaging/internal.h"

namespace osapi::messaging {

using detail::nats_error;

struct BatchPublisher::Impl {
  std::shared_ptr<detail::Core> core;
  jsCtx* js = nullptr;
  std::mutex call_mu;  // one batch at a time: the context's pending set is the batch
  // Guards the fields below, which the ack callback (a cnats thread) fills in.
  std::mutex mu;
  std::unordered_map<const natsMsg*, size_t> in_flight;  // message → index in the batch
  std::vector<Status>* results = nullptr;
  std::vector<std::string> subjects;  // of the batch, for error texts

  ~Impl() {
    if (js) jsCtx_Destroy(js);
  }

  // Every ack or refusal of a message of this context lands here; the message is ours.
  static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    {
      std::lock_guard<std::mutex> lock(self->mu);
      auto it = self->in_flight.find(msg);
      if (it != self->in_flight.end() && self->results != nullptr) {
        const size_t i = it->second;
        self->in_flight.erase(it);
        if (pa != nullptr) {
          (*self->results)[i] = Status::Ok();
        } else {
          const natsStatus err = pae != nullptr ? pae->Err : NATS_ERR;
          std::string text = pae != nullptr && pae->ErrText != nullptr && *pae->ErrText != '\0'
                                 ? pae->ErrText
                                 : natsStatus_GetText(err);
          Error e(detail::map_status(err), "jetstream publish " + self->subjects[i] + ": " + text);
          if (pae != nullptr && pae->ErrCode != 0)
            e.message +=
                " (jetstream error " + std::to_string(static_cast<int>(pae->ErrCode)) + ")";
          (*self->results)[i] = e;
        }
      }
    }
    natsMsg_Destroy(msg);
  }
};

Result<std::unique_ptr<BatchPublisher>> Connection::batch_publisher() {
  auto impl = std::make_unique<BatchPublisher::Impl>();
  impl->core = impl_->core;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 0;  // the caller bounds a batch
  jo.PublishAsync.AckHandler = &BatchPublisher::Impl::on_ack;
  jo.PublishAsync.AckHandlerClosure = impl.get();
  const natsStatus s = natsConnection_JetStream(&impl->js, impl_->core->nc, &jo);
  if (s != NATS_OK) return nats_error("JetStream context for batch publishes", s);
  return std::make_unique<BatchPublisher>(std::move(impl));
}

BatchPublisher::BatchPublisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BatchPublisher::~BatchPublisher() = default;

std::vector<Status> BatchPublisher::publish(const std::vector<PublishItem>& batch,
                                            Duration ack_timeout) {
  auto& self = *impl_;
  std::lock_guard<std::mutex> call(self.call_mu);
  const std::string no_ack =
      "no acknowledgement within " + std::to_string(detail::to_millis(ack_timeout)) + " ms";
  std::vector<Status> results;
  results.reserve(batch.size());
  {
    std::lock_guard<std::mutex> lock(self.mu);
    self.subjects.clear();
    for (const auto& item : batch) {
      self.subjects.push_back(item.subject);
      results.emplace_back(
          Error(ErrorCode::kTimeout, "jetstream publish " + item.subject + ": " + no_ack));
    }
    self.results = &results;
  }

  for (size_t i = 0; i < batch.size(); ++i) {
    Error err;
    natsMsg* msg = detail::make_msg(batch[i].subject, batch[i].data, batch[i].headers, err);
    if (msg == nullptr) {
      std::lock_guard<std::mutex> lock(self.mu);
      results[i] = err;
      continue;
    }
    {
      // Registered before sending: the ack may arrive before js_PublishMsgAsync returns.
      std::lock_guard<std::mutex> lock(self.mu);
      self.in_flight[msg] = i;
    }
    natsMsg* owned = msg;
    const natsStatus s = js_PublishMsgAsync(self.js, &owned, nullptr);
    if (s != NATS_OK) {
      // Not taken by cnats (owned still set): no ack will ever come for it.
      Error e = nats_error("jetstream publish " + batch[i].subject, s);
      if (e.code == ErrorCode::kInternal) e.code = ErrorCode::kUnavailable;
      std::lock_guard<std::mutex> lock(self.mu);
      self.in_flight.erase(msg);
      results[i] = e;
    }
    natsMsg_Destroy(owned);  // no-op when cnats took it
  }

  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = detail::to_millis(ack_timeout);
  if (js_PublishAsyncComplete(self.js, &po) != NATS_OK) {
    // Take back what is still unacknowledged: later acks are then discarded by cnats, so
    // every message of this batch has its final Status when we return.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, self.js) == NATS_OK) natsMsgList_Destroy(&pending);
  }
  std::lock_guard<std::mutex> lock(self.mu);
  self.in_flight.clear();
  self.results = nullptr;
  return results;
}

}  // namespace osapi::messaging
