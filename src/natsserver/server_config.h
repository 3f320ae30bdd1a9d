// nats-server configuration text generated from our config.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "messaging/nats.h"

namespace osapi::natsserver {

// Name of the internal user added for provisioning when auth.type is nkey.
inline constexpr const char* kInternalUser = "osapi-internal";

// The nats-server config file text: host, port, server_name "osapi-<hostname>", JetStream
// store_dir (absolute, resolved against the CWD), optional http monitor port, authorization.
// `internal_password` is used only for auth.type nkey (one extra user/password entry).
std::string generate_server_config(const config::Config& cfg, const std::string& internal_password);

// A quoted, escaped nats-server config string: "a\"b".
std::string quote(std::string_view s);

// 32 random bytes as 64 lowercase hex chars.
std::string random_password_hex();

// Absolute store dir (relative paths resolved against the CWD).
std::string absolute_store_dir(const std::string& store_dir);

// URL and credentials the setup connection uses: user_pass → first configured user; nkey →
// the internal user; none → no auth. Host 0.0.0.0/:: or empty → loopback.
messaging::ConnectOptions setup_connect_options(const config::Config& cfg,
                                                const std::string& internal_password);

}  // namespace osapi::natsserver
