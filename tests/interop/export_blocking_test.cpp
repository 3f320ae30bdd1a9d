// Export never blocks the request path: with the OTLP endpoint
// black-holed, requests still succeed, the bounded queue drops spans, drops are counted in
// /metrics and logged once, and shutdown stays within its deadline.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

#include "chain.h"
#include "stack.h"

using namespace osapi::testing;

namespace {

// A TCP listener that completes handshakes (kernel backlog) but never reads or answers.
class BlackHole {
 public:
  BlackHole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 128) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("black hole listener failed");
    port_ = ntohs(addr.sin_port);
  }
  ~BlackHole() { ::close(fd_); }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void black_holed_requests_succeed(const std::string& protocol_yaml, const std::string& endpoint) {
  StackOptions o;
  o.exporter = "otlp";
  o.extra_yaml = otlp_yaml(endpoint, protocol_yaml +
                                         "    batch: {max_queue_size: 8, max_export_batch_size: 2, "
                                         "schedule_delay: 50ms, export_timeout: 30s}\n");
  Stack stack(o);
  stack.start_all();
  const std::string token = stack.token();

  // Each request ends a server and a publish span in the API: 40 spans against a queue of 8.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    auto r =
        stack.curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer " + token,
                    stack.api_url() + "/api/node/_any/hostname"});
    ASSERT_EQ(r.out, "200") << r.err;
  }
  // "Does not hang": generous, far below the 30 s export timeout times the number of batches.
  EXPECT_LT(seconds_since(start), 60.0);

  // The CLI's own exporter is black-holed too; its flush deadline is 2 s.
  const auto cli_start = std::chrono::steady_clock::now();
  auto cli = stack.osapi({"client", "node", "hostname"});
  EXPECT_EQ(cli.code, 0) << cli.err;
  EXPECT_LT(seconds_since(cli_start), 30.0);

  auto metrics = stack.curl({stack.controller_metrics_url() + "/metrics"});
  std::smatch m;
  if (metrics.out.find("osapi_tracing_spans_dropped_total") != std::string::npos) {
    ASSERT_TRUE(std::regex_search(metrics.out, m,
                                  std::regex("\nosapi_tracing_spans_dropped_total ([0-9.e+]+)")))
        << metrics.out;
    EXPECT_GT(std::stod(m[1]), 0.0) << metrics.out;
  } else {
    ADD_FAILURE() << "/metrics lacks osapi_tracing_spans_dropped_total: " << metrics.out;
  }
  // One warning per minute at most, not one line per dropped span (trap 9).
  EXPECT_EQ(count(stack.api()->err(), "tracing spans dropped"), 1) << stack.api()->err();

  // Shutdown is bounded (5 s deadline) even with exports stuck: SIGTERM is enough.
  const auto stop_start = std::chrono::steady_clock::now();
  EXPECT_EQ(stack.api()->stop(std::chrono::seconds(30)), 0);
  EXPECT_LT(seconds_since(stop_start), 30.0);
}

}  // namespace

TEST(InteropExport, GrpcBlackHoleNeverBlocksRequests) {
  BlackHole hole;
  black_holed_requests_succeed("", "127.0.0.1:" + std::to_string(hole.port()));
}

TEST(InteropExport, HttpBlackHoleNeverBlocksRequests) {
  BlackHole hole;
  black_holed_requests_succeed("    otlp_protocol: http/protobuf\n",
                               "http://127.0.0.1:" + std::to_string(hole.port()));
}
