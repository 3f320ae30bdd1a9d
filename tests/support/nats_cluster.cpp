#include "nats_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace osapi::testing {

namespace {

// The string value of the first `"key": "value"` in a JSON text ("" when absent or empty).
std::string json_string_field(const std::string& text, const std::string& key, size_t from = 0) {
  const std::string needle = "\"" + key + "\"";
  size_t k = text.find(needle, from);
  if (k == std::string::npos) return "";
  size_t colon = text.find(':', k + needle.size());
  if (colon == std::string::npos) return "";
  size_t open = text.find_first_not_of(" \t\r\n", colon + 1);
  if (open == std::string::npos || text[open] != '"') return "";
  size_t close = text.find('"', open + 1);
  if (close == std::string::npos) return "";
  return text.substr(open + 1, close - open - 1);
}

// The integer value of the first `"key": N` at or after `from` (-1 when absent).
long long json_int_field(const std::string& text, const std::string& key, size_t from = 0) {
  const std::string needle = "\"" + key + "\"";
  size_t k = text.find(needle, from);
  if (k == std::string::npos) return -1;
  size_t colon = text.find(':', k + needle.size());
  if (colon == std::string::npos) return -1;
  try {
    return std::stoll(text.substr(colon + 1, 24));
  } catch (...) {
    return -1;
  }
}

}  // namespace

std::string http_get_local(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return "";
  }
  std::string resp;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (resp.rfind("HTTP/1.", 0) != 0 || resp.find(" 200 ") == std::string::npos) return "";
  const size_t body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

NatsCluster::NatsCluster(size_t nodes, const std::string& extra_conf) {
  if (nodes == 0) throw std::invalid_argument("NatsCluster: at least one node");
  std::set<int> used;
  auto fresh_port = [&] {
    for (;;) {
      const int p = free_port();
      if (used.insert(p).second) return p;
    }
  };
  nodes_.resize(nodes);
  for (size_t i = 0; i < nodes; ++i) {
    auto& n = nodes_[i];
    n.name = "n" + std::to_string(i + 1);
    n.port = fresh_port();
    n.cluster_port = fresh_port();
    n.monitor_port = fresh_port();
  }
  for (auto& n : nodes_) {
    std::ostringstream routes;
    for (size_t j = 0; j < nodes_.size(); ++j)
      routes << (j ? ", " : "") << "nats-route://127.0.0.1:" << nodes_[j].cluster_port;
    std::ostringstream c;
    c << "server_name: " << n.name << "\n"
      << "host: 127.0.0.1\nport: " << n.port << "\n"
      << "http: \"127.0.0.1:" << n.monitor_port << "\"\n"
      << "jetstream {\n  store_dir: \"" << dir_.file(n.name) << "\"\n"
      << "  max_memory_store: 268435456\n  max_file_store: 4294967296\n}\n"
      << "cluster {\n  name: osapi-test\n  listen: \"127.0.0.1:" << n.cluster_port << "\"\n"
      << "  no_advertise: true\n  routes: [" << routes.str() << "]\n}\n"
      << extra_conf << "\n";
    n.conf = dir_.write(n.name + ".conf", c.str());
  }
  for (size_t i = 0; i < nodes_.size(); ++i) start(i);
  if (!wait_ready(std::chrono::seconds(30))) {
    std::string err;
    for (auto& n : nodes_) err += n.name + ": " + (n.proc ? n.proc->err() : "") + "\n";
    throw std::runtime_error("nats cluster: no JetStream meta leader elected\n" + err);
  }
}

NatsCluster::~NatsCluster() {
  for (size_t i = nodes_.size(); i-- > 0;) stop(i);
}

std::string NatsCluster::urls() const {
  std::string out;
  for (size_t i = 0; i < nodes_.size(); ++i) out += (i ? "," : "") + url(i);
  return out;
}

std::string NatsCluster::meta_leader(size_t i) const {
  const std::string body = http_get_local(monitor_port(i), "/jsz");
  const size_t meta = body.find("\"meta_cluster\"");
  if (meta == std::string::npos) return "";
  return json_string_field(body, "leader", meta);
}

bool NatsCluster::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string leader;
    bool ready = true;
    for (size_t i = 0; i < nodes_.size() && ready; ++i) {
      if (!nodes_[i].proc) continue;
      const std::string body = http_get_local(monitor_port(i), "/jsz");
      const size_t meta = body.find("\"meta_cluster\"");
      const std::string l =
          meta == std::string::npos ? "" : json_string_field(body, "leader", meta);
      const long long peers =
          meta == std::string::npos ? -1 : json_int_field(body, "cluster_size", meta);
      if (l.empty() || (!leader.empty() && l != leader) ||
          peers != static_cast<long long>(nodes_.size()))
        ready = false;
      leader = l;
    }
    if (ready && !leader.empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void NatsCluster::stop(size_t i) {
  auto& n = nodes_.at(i);
  if (n.proc) {
    n.proc->stop(std::chrono::seconds(5));
    n.proc.reset();
  }
}

void NatsCluster::start(size_t i) {
  auto& n = nodes_.at(i);
  n.proc = std::make_unique<Process>(std::vector<std::string>{nats_server_bin(), "-c", n.conf});
  if (!wait_port_open(n.port, std::chrono::seconds(10)))
    throw std::runtime_error("nats-server " + n.name + " did not start: " + n.proc->err());
}

}  // namespace osapi::testing
