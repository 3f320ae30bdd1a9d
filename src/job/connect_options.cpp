#include "job/connect_options.h"

namespace osapi::job {

messaging::ConnectOptions client_connect_options(const config::NatsClient& n) {
  messaging::ConnectOptions co;
  co.url = "nats://" + n.host + ":" + std::to_string(n.port);
  co.name = n.client_name;
  co.auth_type = n.auth.type;
  co.username = n.auth.username;
  co.password = n.auth.password;
  co.nkey_file = n.auth.nkey_file;
  return co;
}

}  // namespace osapi::job
