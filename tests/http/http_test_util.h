// Test helpers: a raw HTTP/1.1 client over one TCP connection (full control over bytes,
// keep-alive and malformed input) and a server fixture on 127.0.0.1 with an ephemeral port.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/strings.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "http/server.h"

namespace osapi::http::testing {

struct RawResponse {
  int status = 0;
  Headers headers;
  std::string body;
  bool closed = false;  // the server closed the connection after this response
  const std::string* header(std::string_view name) const { return find_header(headers, name); }
  size_t count(std::string_view name) const {
    size_t n = 0;
    for (const auto& [k, v] : headers)
      if (iequals(k, name)) ++n;
    return n;
  }
};

class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length framed, or until close); nullopt on timeout/EOF first.
  std::optional<RawResponse> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(until)) return std::nullopt;
    }
    RawResponse r;
    const std::string head = buf_.substr(0, header_end);
    buf_.erase(0, header_end + 4);
    auto lines = split(head, '\n');
    for (auto& l : lines)
      if (!l.empty() && l.back() == '\r') l.pop_back();
    if (lines.empty() || lines[0].size() < 12) return std::nullopt;
    r.status = std::stoi(lines[0].substr(9, 3));
    for (size_t i = 1; i < lines.size(); ++i) {
      const auto c = lines[i].find(':');
      if (c == std::string::npos) continue;
      r.headers.emplace_back(lines[i].substr(0, c), trim(lines[i].substr(c + 1)));
    }
    if (r.status == 100) return read_response(timeout);
    const std::string* cl = r.header("Content-Length");
    const size_t len = cl ? std::stoul(*cl) : 0;
    if (cl) {
      while (buf_.size() < len)
        if (!fill(until)) return std::nullopt;
      r.body = buf_.substr(0, len);
      buf_.erase(0, len);
    }
    const std::string* conn = r.header("Connection");
    r.closed = conn && iequals(*conn, "close");
    return r;
  }

  // Waits until the unread input contains `needle`, then drops everything up to its end.
  bool skip_past(std::string_view needle,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    size_t pos;
    while ((pos = buf_.find(needle)) == std::string::npos)
      if (!fill(until)) return false;
    buf_.erase(0, pos + needle.size());
    return true;
  }

  // True when the server closed the connection (EOF) within the timeout.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (!fill(until)) return eof_;
    }
  }

 private:
  bool fill(std::chrono::steady_clock::time_point until) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buf_;
};

// One request on a fresh connection.
inline std::optional<RawResponse> raw_request(uint16_t port, const std::string& request) {
  RawConnection c(port);
  if (!c.connected() || !c.send(request)) return std::nullopt;
  return c.read_response();
}

inline std::string get(const std::string& path, const std::string& extra_headers = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

// Router + standard middleware + server on an ephemeral port.
struct TestServer {
  Router router;
  std::unique_ptr<Server> server;

  void start(PipelineOptions options = {}, ServerOptions server_options = {}) {
    server_options.address = "127.0.0.1";
    server_options.port = 0;
    server = std::make_unique<Server>(
        server_options, make_app(router, standard_middlewares(router, std::move(options))));
    auto st = server->start();
    if (!st.ok()) throw std::runtime_error(st.error().message);
  }
  uint16_t port() const { return server->bound_port(); }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }
};

}  // namespace osapi::http::testing
