#include <nats/nats.h>

#include <cstdlib>

#include "messaging/internal.h"

namespace osapi::messaging {

Message::Message(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;
Message::~Message() = default;

const std::string& Message::subject() const {
  return impl_->subject;
}
const std::string& Message::data() const {
  return impl_->data;
}
const Headers& Message::headers() const {
  return impl_->headers;
}
uint64_t Message::delivery_count() const {
  return impl_->delivered;
}
uint64_t Message::stream_sequence() const {
  return impl_->stream_seq;
}

Status Message::ack() {
  const natsStatus s = natsMsg_Ack(impl_->msg, nullptr);
  if (s != NATS_OK) return detail::nats_error("ack " + impl_->subject, s);
  return Status::Ok();
}

Status Message::nak() {
  const natsStatus s = natsMsg_Nak(impl_->msg, nullptr);
  if (s != NATS_OK) return detail::nats_error("nak " + impl_->subject, s);
  return Status::Ok();
}

Status Message::nak_with_delay(Duration delay) {
  // cnats takes the delay in milliseconds.
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
  const natsStatus s = natsMsg_NakWithDelay(impl_->msg, ms < 0 ? 0 : ms, nullptr);
  if (s != NATS_OK) return detail::nats_error("nak with delay " + impl_->subject, s);
  return Status::Ok();
}

Status Message::term() {
  const natsStatus s = natsMsg_Term(impl_->msg, nullptr);
  if (s != NATS_OK) return detail::nats_error("term " + impl_->subject, s);
  return Status::Ok();
}

Status Message::in_progress() {
  const natsStatus s = natsMsg_InProgress(impl_->msg, nullptr);
  if (s != NATS_OK) return detail::nats_error("in progress " + impl_->subject, s);
  return Status::Ok();
}

namespace detail {

Headers read_headers(natsMsg* msg) {
  Headers out;
  const char** keys = nullptr;
  int nkeys = 0;
  if (natsMsgHeader_Keys(msg, &keys, &nkeys) != NATS_OK) return out;
  for (int i = 0; i < nkeys; ++i) {
    const char** values = nullptr;
    int nvalues = 0;
    if (natsMsgHeader_Values(msg, keys[i], &values, &nvalues) == NATS_OK) {
      for (int j = 0; j < nvalues; ++j) out.emplace_back(keys[i], values[j]);
      free(values);  // the array is ours, the strings are the message's
    }
  }
  free(keys);
  return out;
}

Message wrap_message(natsMsg* msg, std::shared_ptr<Core> core) {
  auto impl = std::make_unique<Message::Impl>();
  impl->core = std::move(core);
  impl->msg = msg;
  if (const char* subj = natsMsg_GetSubject(msg)) impl->subject = subj;
  if (const char* data = natsMsg_GetData(msg))
    impl->data.assign(data, static_cast<size_t>(natsMsg_GetDataLength(msg)));

  impl->headers = read_headers(msg);

  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK && meta != nullptr) {
    impl->delivered = meta->NumDelivered;
    impl->stream_seq = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
  } else {
    impl->stream_seq = natsMsg_GetSequence(msg);
  }
  return Message(std::move(impl));
}

}  // namespace detail
}  // namespace osapi::messaging
