// HTTP/1.1 server: an acceptor thread plus one thread per connection (handlers may block for
// minutes waiting on jobs, so no small shared pool). Keep-alive, TCP_NODELAY, a body limit
// answered with 413, 400 for malformed requests, read/write deadlines, a connection cap
// answered with 503, and a graceful stop that lets in-flight requests finish.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/middleware.h"

namespace osapi::http {

struct ServerOptions {
  std::string address = "0.0.0.0";  // IPv4 literal
  uint16_t port = 8080;             // 0 → ephemeral; see bound_port()
  size_t max_connections = 1024;    // beyond: 503 and close
  size_t body_limit = 1 << 20;      // larger → 413
  size_t header_limit = 64 << 10;   // larger → 431
  // Time allowed to receive one whole request, idle keep-alive wait included.
  std::chrono::milliseconds read_timeout{60000};
  // Time allowed to send one response to a client that stopped reading.
  std::chrono::milliseconds write_timeout{60000};
};

class Server {
 public:
  // `handler` is usually make_app(router, middlewares); it must be safe to call concurrently.
  Server(ServerOptions options, Handler handler);
  ~Server();  // stop() with the default deadline
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Error: "failed to listen on :<port>: <reason>".
  Status start();
  // The bound port (useful with port 0); 0 before start().
  uint16_t bound_port() const;
  // Stops accepting, closes idle keep-alive connections, waits up to `deadline` for requests
  // in flight (their responses carry Connection: close), then shuts the rest down and returns.
  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // Open connections (accepted and not yet closed).
  size_t connections() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace osapi::http
