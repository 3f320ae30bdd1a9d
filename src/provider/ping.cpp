#include "provider/ping.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "provider/file_util.h"

namespace osapi::provider {

using json = nlohmann::ordered_json;

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kHeader = 8;    // ICMP echo header
constexpr size_t kPayload = 16;  // 8-byte token + 8 bytes padding

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

uint16_t checksum(const uint8_t* data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (len % 2) sum += static_cast<uint32_t>(data[len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET;
};

Result<Endpoint> resolve(const std::string& address) {
  Endpoint ep;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ep.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ep.addr);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    ep.len = sizeof(sockaddr_in);
    return ep;
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    ep.len = sizeof(sockaddr_in6);
    ep.family = AF_INET6;
    return ep;
  }
  // POST /job may carry a host name (the typed endpoint accepts only IPs).
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(address.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr)
    return make_error(ErrorCode::kInvalidArgument,
                      "lookup " + address + ": " + std::string(gai_strerror(rc)));
  std::memcpy(&ep.addr, res->ai_addr, res->ai_addrlen);
  ep.len = static_cast<socklen_t>(res->ai_addrlen);
  ep.family = res->ai_family;
  freeaddrinfo(res);
  return ep;
}

// Datagram ICMP first for ordinary users, raw first for root; the other as a fallback.
Result<int> open_socket(int family, bool& raw) {
  const int proto =
      family == AF_INET6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  const bool root = ::geteuid() == 0;
  int last_errno = 0;
  for (const bool try_raw : {root, !root}) {
    const int fd = ::socket(family, (try_raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC, proto);
    if (fd >= 0) {
      raw = try_raw;
      return fd;
    }
    last_errno = errno;
  }
  return make_error(ErrorCode::kUnavailable,
                    "socket: " + errno_text(last_errno) +
                        " (unprivileged ping needs net.ipv4.ping_group_range to include the "
                        "agent's group, or run as root)");
}

}  // namespace

Result<PingStats> ping(const std::string& address, const PingOptions& options) {
  if (address.empty()) return make_error(ErrorCode::kInvalidArgument, "missing ping address");
  auto ep = resolve(address);
  if (!ep.ok()) return ep.error();
  bool raw = false;
  auto fd_or = open_socket(ep->family, raw);
  if (!fd_or.ok()) return fd_or.error();
  Socket sock(*fd_or);
  const bool v6 = ep->family == AF_INET6;

  std::random_device rd;
  const uint64_t token = (static_cast<uint64_t>(rd()) << 32) | rd();
  // Raw sockets see every echo reply on the host: match our identifier. Datagram sockets get
  // only their own replies (the kernel rewrites the identifier to the socket's port).
  const uint16_t ident = static_cast<uint16_t>(rd());
  const int count = std::max(1, options.count);
  std::vector<SteadyClock::time_point> sent_at(count);
  std::vector<bool> got(count, false);
  std::vector<int64_t> rtts;

  const auto start = SteadyClock::now();
  const auto deadline = start + options.timeout;
  int sent = 0;
  auto next_send = start;
  while (SteadyClock::now() < deadline) {
    auto now = SteadyClock::now();
    if (sent < count && now >= next_send) {
      std::array<uint8_t, kHeader + kPayload> pkt{};
      pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
      pkt[4] = static_cast<uint8_t>(ident >> 8);
      pkt[5] = static_cast<uint8_t>(ident & 0xff);
      pkt[6] = static_cast<uint8_t>(sent >> 8);
      pkt[7] = static_cast<uint8_t>(sent & 0xff);
      std::memcpy(pkt.data() + kHeader, &token, sizeof token);
      if (!v6) {  // ICMPv6 checksums are filled in by the kernel
        const uint16_t sum = checksum(pkt.data(), pkt.size());
        pkt[2] = static_cast<uint8_t>(sum >> 8);
        pkt[3] = static_cast<uint8_t>(sum & 0xff);
      }
      sent_at[sent] = now;
      if (::sendto(sock.get(), pkt.data(), pkt.size(), 0,
                   reinterpret_cast<const sockaddr*>(&ep->addr), ep->len) < 0) {
        if (sent == 0) return make_error(ErrorCode::kUnavailable, "sendto: " + errno_text(errno));
      }
      ++sent;
      next_send += options.interval;
    }
    if (sent == count && static_cast<int>(rtts.size()) == count) break;
    const auto until = sent < count ? std::min(next_send, deadline) : deadline;
    const auto wait_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - SteadyClock::now()).count();
    pollfd pfd{sock.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(0, wait_ms) + 1)) <= 0) continue;
    std::array<uint8_t, 1500> buf{};
    const ssize_t n = ::recv(sock.get(), buf.data(), buf.size(), 0);
    const auto received_at = SteadyClock::now();
    if (n <= 0) continue;
    size_t off = 0;
    if (raw && !v6) off = static_cast<size_t>(buf[0] & 0x0f) * 4;  // IPv4 raw: skip IP header
    if (static_cast<size_t>(n) < off + kHeader + sizeof token) continue;
    const uint8_t* icmp = buf.data() + off;
    if (icmp[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY)) continue;
    const uint16_t id = static_cast<uint16_t>(icmp[4] << 8 | icmp[5]);
    const int seq = icmp[6] << 8 | icmp[7];
    uint64_t echoed = 0;
    std::memcpy(&echoed, icmp + kHeader, sizeof echoed);
    if ((raw && id != ident) || echoed != token || seq >= sent || got[seq]) continue;
    got[seq] = true;
    rtts.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(received_at - sent_at[seq]).count());
  }
  if (rtts.empty()) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count();
    return make_error(ErrorCode::kTimeout,
                      "ping operation timed out after " + std::to_string(secs) + "s");
  }
  PingStats s;
  s.packets_sent = sent;
  s.packets_received = static_cast<int>(rtts.size());
  s.packet_loss = 100.0 * (sent - s.packets_received) / sent;
  s.min_rtt_ns = *std::min_element(rtts.begin(), rtts.end());
  s.max_rtt_ns = *std::max_element(rtts.begin(), rtts.end());
  int64_t total = 0;
  for (auto r : rtts) total += r;
  s.avg_rtt_ns = total / static_cast<int64_t>(rtts.size());
  return s;
}

Result<std::string> parse_ping_data(const json& data) {
  if (!data.is_object()) return make_error(ErrorCode::kInvalidArgument, "missing ping address");
  auto it = data.find("address");
  if (it == data.end() || !it->is_string() || it->get<std::string>().empty())
    return make_error(ErrorCode::kInvalidArgument, "missing ping address");
  return it->get<std::string>();
}

json to_json(const PingStats& s) {
  json loss;
  // Whole percentages as integers, like Go's float encoding (0, not 0.0).
  if (std::floor(s.packet_loss) == s.packet_loss)
    loss = static_cast<int64_t>(s.packet_loss);
  else
    loss = s.packet_loss;
  return json{{"PacketsSent", s.packets_sent},
              {"PacketsReceived", s.packets_received},
              {"PacketLoss", loss},
              {"MinRTT", s.min_rtt_ns},
              {"AvgRTT", s.avg_rtt_ns},
              {"MaxRTT", s.max_rtt_ns}};
}

std::string rtt_text(int64_t nanoseconds) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2fms", static_cast<double>(nanoseconds) / 1e6);
  return buf;
}

}  // namespace osapi::provider
