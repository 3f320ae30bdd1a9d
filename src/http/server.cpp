// The only Beast translation unit (Beast is heavy to compile). Sockets are plain non-blocking
// fds driven by poll(): each wait has a deadline, and idle keep-alive waits also watch a wake
// pipe that becomes readable when stop() begins.
#include <utility>  // before Asio/Beast under C++20 (Boost 1.74)

#include "http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "common/ids.h"
#include "common/strings.h"
#include "common/time.h"
#include "http/request_id_middleware.h"
#include "logging/logger.h"

namespace osapi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using SteadyClock = std::chrono::steady_clock;

struct Server::State {
  ServerOptions options;
  Handler handler;
  int listen_fd = -1;
  int wake_read = -1;  // readable once stopping
  int wake_write = -1;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::thread acceptor;
  bool started = false;
  bool stopped = false;

  mutable std::mutex mu;
  std::condition_variable cv;
  size_t connections = 0;  // connection threads alive
  std::set<int> fds;       // their sockets, for the forced shutdown after the deadline

  ~State() {
    if (listen_fd >= 0) ::close(listen_fd);
    if (wake_read >= 0) ::close(wake_read);
    if (wake_write >= 0) ::close(wake_write);
  }
};

namespace {

// A non-blocking socket as a Beast SyncReadStream/SyncWriteStream with a deadline per
// operation. While `idle` (waiting for the first byte of a request) the wake pipe aborts it.
class FdStream {
 public:
  FdStream(int fd, int wake_fd) : fd_(fd), wake_fd_(wake_fd) {}

  void set_deadline(SteadyClock::time_point t) { deadline_ = t; }
  void set_idle(bool idle) { idle_ = idle; }

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, beast::error_code& ec) {
    ec = {};
    asio::mutable_buffer b;
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      if (asio::mutable_buffer(*it).size() > 0) {
        b = *it;
        break;
      }
    }
    if (b.size() == 0) return 0;
    for (;;) {
      const ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
      if (n > 0) {
        idle_ = false;
        return static_cast<size_t>(n);
      }
      if (n == 0) {
        ec = asio::error::eof;
        return 0;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ec.assign(errno, beast::system_category());
        return 0;
      }
      if (!wait(POLLIN, ec)) return 0;
    }
  }
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    beast::error_code ec;
    const size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers, beast::error_code& ec) {
    ec = {};
    iovec iov[16];
    int count = 0;
    for (auto it = asio::buffer_sequence_begin(buffers);
         it != asio::buffer_sequence_end(buffers) && count < 16; ++it) {
      asio::const_buffer cb(*it);
      if (cb.size() == 0) continue;
      iov[count].iov_base = const_cast<void*>(cb.data());
      iov[count].iov_len = cb.size();
      ++count;
    }
    if (count == 0) return 0;
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    for (;;) {
      const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ec.assign(errno, beast::system_category());
        return 0;
      }
      if (!wait(POLLOUT, ec)) return 0;
    }
  }
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers) {
    beast::error_code ec;
    const size_t n = write_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

 private:
  // Waits for `events`; false with ec set on deadline or stop (idle only).
  bool wait(short events, beast::error_code& ec) {
    for (;;) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline_ - SteadyClock::now());
      if (left.count() <= 0) {
        ec = beast::error::timeout;
        return false;
      }
      pollfd pfd[2] = {{fd_, events, 0}, {wake_fd_, POLLIN, 0}};
      const int r =
          ::poll(pfd, idle_ ? 2 : 1, static_cast<int>(std::min<long long>(left.count(), 60000)));
      if (r < 0 && errno != EINTR) {
        ec.assign(errno, beast::system_category());
        return false;
      }
      if (r <= 0) continue;
      if (idle_ && (pfd[1].revents & POLLIN)) {
        ec = asio::error::operation_aborted;
        return false;
      }
      if (pfd[0].revents) return true;  // ready, or an error the next syscall reports
    }
  }

  int fd_;
  int wake_fd_;
  bool idle_ = false;
  SteadyClock::time_point deadline_ = SteadyClock::now();
};

std::string clean_header_value(std::string v) {
  std::erase_if(v, [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
  return v;
}

bhttp::response<bhttp::string_body> to_beast(Response& resp, unsigned version, bool head,
                                             bool keep_alive) {
  bhttp::response<bhttp::string_body> res;
  res.version(version == 10 ? 10 : 11);
  res.result(static_cast<unsigned>(resp.status));
  if (const auto reason = reason_phrase(resp.status); !reason.empty())
    res.reason(beast::string_view(reason.data(), reason.size()));
  bool has_date = false;
  for (auto& [name, value] : resp.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Connection") ||
        iequals(name, "Transfer-Encoding"))
      continue;
    const std::string n = clean_header_value(name);
    if (n.empty()) continue;
    if (iequals(n, "Date")) has_date = true;
    res.insert(n, clean_header_value(value));
  }
  if (!has_date) res.set(bhttp::field::date, rfc1123(Clock::now()));
  const bool no_body =
      resp.status == 204 || resp.status == 304 || (resp.status >= 100 && resp.status < 200);
  if (no_body) {
    res.body().clear();
  } else if (head) {
    res.content_length(resp.body.size());
  } else {
    res.body() = std::move(resp.body);
    res.prepare_payload();
  }
  res.keep_alive(keep_alive);
  return res;
}

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Orderly close after an error response: stop sending, read and discard what the client is
// still sending for a moment, so it sees our response instead of a reset.
void lingering_close(int fd) {
  ::shutdown(fd, SHUT_WR);
  const auto until = SteadyClock::now() + std::chrono::seconds(2);
  char buf[16384];
  size_t drained = 0;
  while (drained < (32u << 20)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - SteadyClock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    const int r = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
}

Response plain_error(int status, std::string_view message) {
  return Response::framework_error(status, message);
}

// Every response carries X-Request-Id. The middleware sets it on handled requests; answers the
// server gives itself (unparsable or oversized requests, a handler that threw) get the client's
// id when one could be read, else a fresh one.
void ensure_request_id(Response& resp, const std::string* incoming = nullptr) {
  if (resp.header("X-Request-Id") != nullptr) return;
  resp.set_header("X-Request-Id",
                  incoming && valid_request_id(*incoming) ? *incoming : random_alnum(32));
}

// The X-Request-Id of what the parser has read so far (nullptr when none).
const std::string* parsed_request_id(const bhttp::request_parser<bhttp::string_body>& parser,
                                     std::string& holder) {
  const auto& msg = parser.get();
  const auto it = msg.find("X-Request-Id");
  if (it == msg.end()) return nullptr;
  holder.assign(it->value().data(), it->value().size());
  return &holder;
}

bool write_response(FdStream& stream, const Server::State& st, Response& resp, unsigned version,
                    bool head, bool keep_alive) {
  ensure_request_id(resp);
  auto res = to_beast(resp, version, head, keep_alive);
  stream.set_deadline(SteadyClock::now() + st.options.write_timeout);
  beast::error_code ec;
  bhttp::write(stream, res, ec);
  return !ec;
}

Request to_request(const bhttp::request<bhttp::string_body>& msg, const std::string& peer,
                   uint16_t peer_port) {
  Request req;
  req.method = std::string(msg.method_string());
  set_target(req, std::string_view(msg.target().data(), msg.target().size()));
  req.headers.reserve(16);
  for (const auto& f : msg)
    req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  req.peer_address = peer;
  req.peer_port = peer_port;
  return req;
}

Response call_handler(const Server::State& st, Request& req) {
  try {
    return st.handler(req);
  } catch (const std::exception& e) {
    logging::error("unhandled exception in HTTP handler", {{"error", e.what()}});
  } catch (...) {
    logging::error("unhandled exception in HTTP handler", {{"error", "unknown"}});
  }
  return plain_error(500, "Internal Server Error");
}

bool expects_continue(const bhttp::request<bhttp::string_body>& msg) {
  const auto it = msg.find(bhttp::field::expect);
  return it != msg.end() &&
         iequals(trim(std::string_view(it->value().data(), it->value().size())), "100-continue");
}

// One connection: read a request, handle it, write the response, repeat while keep-alive.
void serve(const std::shared_ptr<Server::State>& st, int fd, const std::string& peer,
           uint16_t peer_port) {
  FdStream stream(fd, st->wake_read);
  beast::flat_buffer buffer;
  bool linger = false;
  while (!st->stopping.load()) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(st->options.header_limit));
    parser.body_limit(st->options.body_limit);
    stream.set_deadline(SteadyClock::now() + st->options.read_timeout);
    stream.set_idle(buffer.size() == 0);
    beast::error_code ec;
    bhttp::read_header(stream, buffer, parser, ec);
    if (!ec && !parser.is_done()) {
      if (expects_continue(parser.get())) {
        static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        beast::error_code wec;
        stream.set_deadline(SteadyClock::now() + st->options.write_timeout);
        asio::write(stream, asio::const_buffer(kContinue, sizeof(kContinue) - 1), wec);
        if (wec) break;
      }
      bhttp::read(stream, buffer, parser, ec);
    }
    bool too_large = false;
    if (ec == bhttp::error::body_limit) {
      too_large = true;
    } else if (ec == bhttp::error::header_limit) {
      Response r = plain_error(431, "Request Header Fields Too Large");
      std::string id;
      ensure_request_id(r, parsed_request_id(parser, id));
      write_response(stream, *st, r, 11, false, false);
      linger = true;
      break;
    } else if (ec && (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
                      ec == asio::error::eof || ec == beast::error::timeout ||
                      ec == asio::error::operation_aborted || !is_http_error(ec))) {
      break;  // client went away, idle timeout, stop, or a socket error: close quietly
    } else if (ec) {
      Response r = plain_error(400, "Bad Request");
      std::string id;
      ensure_request_id(r, parsed_request_id(parser, id));
      write_response(stream, *st, r, 11, false, false);
      linger = true;
      break;
    }

    const auto& msg = parser.get();
    Request req = to_request(msg, peer, peer_port);
    req.body_too_large = too_large;
    if (!too_large) req.body = std::move(parser.get().body());
    Response resp = call_handler(*st, req);
    const bool keep_alive = msg.keep_alive() && !too_large && !st->stopping.load();
    if (!write_response(stream, *st, resp, msg.version(), req.method == "HEAD", keep_alive)) break;
    if (!keep_alive) {
      linger = too_large;
      if (!too_large) ::shutdown(fd, SHUT_WR);
      break;
    }
  }
  if (linger) lingering_close(fd);
}

void reject_busy(int fd) {
  const std::string busy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "X-Request-Id: " +
      random_alnum(32) +
      "\r\nContent-Length: 34\r\nConnection: close\r\n\r\n{\"message\":\"Service "
      "Unavailable\"}\n";
  [[maybe_unused]] ssize_t n = ::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

void start_connection(const std::shared_ptr<Server::State>& st, int fd, const sockaddr_in& addr) {
  char ip[INET_ADDRSTRLEN] = {0};
  ::inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof(ip));
  const uint16_t peer_port = ntohs(addr.sin_port);
  {
    std::lock_guard lock(st->mu);
    if (st->connections >= st->options.max_connections) {
      reject_busy(fd);
      return;
    }
    ++st->connections;
    st->fds.insert(fd);
  }
  auto finish = [](const std::shared_ptr<Server::State>& s, int f) {
    std::lock_guard lock(s->mu);
    s->fds.erase(f);
    ::close(f);
    --s->connections;
    s->cv.notify_all();
  };
  try {
    std::thread([st, fd, peer = std::string(ip), peer_port, finish] {
      serve(st, fd, peer, peer_port);
      finish(st, fd);
    }).detach();
  } catch (const std::exception& e) {
    logging::error("failed to start connection thread", {{"error", e.what()}});
    finish(st, fd);
  }
}

void accept_loop(const std::shared_ptr<Server::State>& st) {
  while (!st->stopping.load()) {
    pollfd pfd[2] = {{st->listen_fd, POLLIN, 0}, {st->wake_read, POLLIN, 0}};
    const int r = ::poll(pfd, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      logging::error("HTTP accept poll failed", {{"error", std::strerror(errno)}});
      return;
    }
    if (pfd[1].revents & POLLIN) return;
    if (!(pfd[0].revents & POLLIN)) continue;
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    const int fd = ::accept4(st->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: back off instead of spinning on a readable listener.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      continue;
    }
    set_nodelay(fd);
    start_connection(st, fd, addr);
  }
}

}  // namespace

Server::Server(ServerOptions options, Handler handler) : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->handler = std::move(handler);
}

Server::~Server() {
  stop();
}

Status Server::start() {
  auto& st = *state_;
  const std::string where = "failed to listen on :" + std::to_string(st.options.port) + ": ";
  if (st.started) return make_error(ErrorCode::kInternal, where + "already started");
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0)
    return make_error(ErrorCode::kInternal, where + std::strerror(errno));
  st.wake_read = pipefd[0];
  st.wake_write = pipefd[1];

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(st.options.port);
  if (::inet_pton(AF_INET, st.options.address.c_str(), &addr.sin_addr) != 1)
    return make_error(ErrorCode::kInvalidArgument,
                      where + "invalid address \"" + st.options.address + "\"");
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return make_error(ErrorCode::kUnavailable, where + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, SOMAXCONN) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return make_error(ErrorCode::kUnavailable, where + reason);
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  st.listen_fd = fd;
  st.port = ntohs(addr.sin_port);
  st.started = true;
  st.acceptor = std::thread([s = state_] { accept_loop(s); });
  return Status::Ok();
}

uint16_t Server::bound_port() const {
  return state_->port;
}

size_t Server::connections() const {
  std::lock_guard lock(state_->mu);
  return state_->connections;
}

void Server::stop(std::chrono::milliseconds deadline) {
  auto& st = *state_;
  if (!st.started || st.stopped) return;
  st.stopped = true;
  const auto until = SteadyClock::now() + deadline;
  st.stopping.store(true);
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(st.wake_write, &byte, 1);
  if (st.acceptor.joinable()) st.acceptor.join();
  ::close(st.listen_fd);
  st.listen_fd = -1;

  std::unique_lock lock(st.mu);
  st.cv.wait_until(lock, until, [&] { return st.connections == 0; });
  // Past the deadline: cut the remaining connections; their threads exit once their handlers
  // return (they keep the shared state alive).
  for (int fd : st.fds) ::shutdown(fd, SHUT_RDWR);
}

}  // namespace osapi::http
