// Connection settings of a client role (controller.nats.*, agent.nats.*) as messaging options.
#pragma once

#include "config/config.h"
#include "messaging/nats.h"

namespace osapi::job {

messaging::ConnectOptions client_connect_options(const config::NatsClient& nats);

}  // namespace osapi::job
