#include "nats_floor.h"

#include <nats/nats.h>

#include <stdexcept>

namespace osapi::bench {

namespace {

struct ConnDeleter {
  void operator()(natsConnection* nc) const { natsConnection_Destroy(nc); }
};
struct SubDeleter {
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
};
using ConnPtr = std::unique_ptr<natsConnection, ConnDeleter>;
using SubPtr = std::unique_ptr<natsSubscription, SubDeleter>;

ConnPtr connect(const std::string& url) {
  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK) throw std::runtime_error("natsOptions_Create");
  std::unique_ptr<natsOptions, decltype(&natsOptions_Destroy)> opts(raw, &natsOptions_Destroy);
  natsOptions_SetURL(opts.get(), url.c_str());
  natsOptions_SetSendAsap(opts.get(), true);
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, opts.get());
  if (s != NATS_OK) throw std::runtime_error(std::string("nats connect: ") + natsStatus_GetText(s));
  return ConnPtr(nc);
}

void echo(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  if (const char* reply = natsMsg_GetReply(msg))
    natsConnection_Publish(nc, reply, natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}

}  // namespace

struct NatsEchoResponder::Impl {
  ConnPtr nc;
  SubPtr sub;
};

NatsEchoResponder::NatsEchoResponder(const std::string& url, const std::string& subject)
    : impl_(std::make_unique<Impl>()) {
  impl_->nc = connect(url);
  natsSubscription* sub = nullptr;
  if (natsConnection_Subscribe(&sub, impl_->nc.get(), subject.c_str(), &echo, nullptr) != NATS_OK)
    throw std::runtime_error("nats subscribe failed");
  impl_->sub.reset(sub);
  natsConnection_Flush(impl_->nc.get());
}

NatsEchoResponder::~NatsEchoResponder() = default;

OpFactory nats_request(const std::string& url, const std::string& subject) {
  return [url, subject]() -> Op {
    std::shared_ptr<natsConnection> nc(connect(url).release(), ConnDeleter());
    return [nc, subject](std::string& error) {
      static constexpr char kPayload[] = R"({"hostname":"?"})";
      natsMsg* reply = nullptr;
      const natsStatus s = natsConnection_Request(&reply, nc.get(), subject.c_str(), kPayload,
                                                  sizeof kPayload - 1, 10000);
      if (s != NATS_OK) {
        error = natsStatus_GetText(s);
        return false;
      }
      natsMsg_Destroy(reply);
      return true;
    };
  };
}

}  // namespace osapi::bench
