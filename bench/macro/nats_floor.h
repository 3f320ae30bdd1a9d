// The floor for "ask a host and hear back": a bare cnats core request-reply against the same
// nats-server, answered by a trivial in-process responder. Both sides use SendAsap (trap 2),
// as our messaging layer does on the request path.
#pragma once

#include <memory>
#include <string>

#include "load.h"

namespace osapi::bench {

class NatsEchoResponder {
 public:
  NatsEchoResponder(const std::string& url, const std::string& subject);
  ~NatsEchoResponder();
  NatsEchoResponder(const NatsEchoResponder&) = delete;
  NatsEchoResponder& operator=(const NatsEchoResponder&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Each worker thread opens its own connection and sends a small request, waiting for the reply.
OpFactory nats_request(const std::string& url, const std::string& subject);

}  // namespace osapi::bench
