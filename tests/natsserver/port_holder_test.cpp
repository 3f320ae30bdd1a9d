// Port holder lookup through /proc against sockets this test owns.
#include "natsserver/port_holder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "process.h"

namespace osapi::natsserver {
namespace {

// A listening socket on a free loopback port (IPv4 or IPv6); closed on destruction.
class Listener {
 public:
  explicit Listener(int family) {
    fd_ = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof(*a);
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof(*a);
    }
    if (bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd_, 4) != 0) {
      close(fd_);
      fd_ = -1;
      return;
    }
    getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                    : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  }
  ~Listener() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(PortHolderTest, FindsTheProcessListeningOnAPort) {
  Listener l(AF_INET);
  ASSERT_TRUE(l.ok());
  auto holder = find_port_holder(l.port());
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->pid, getpid());
  EXPECT_FALSE(holder->command.empty());
}

TEST(PortHolderTest, FindsAnIpv6Listener) {
  Listener l(AF_INET6);
  if (!l.ok()) GTEST_SKIP() << "no IPv6 loopback here";
  auto holder = find_port_holder(l.port());
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->pid, getpid());
}

TEST(PortHolderTest, NobodyOnAFreePort) {
  EXPECT_FALSE(find_port_holder(osapi::testing::free_port()).has_value());
}

TEST(PortHolderTest, CheckNamesThePortAndItsHolder) {
  Listener l(AF_INET);
  ASSERT_TRUE(l.ok());
  auto st = check_port_free("127.0.0.1", l.port());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  const std::string& msg = st.error().message;
  EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(l.port()) + ": address already in use"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("held by pid " + std::to_string(getpid())), std::string::npos) << msg;
  // Every address of the host: a listener on loopback also blocks the wildcard address.
  EXPECT_FALSE(check_port_free("0.0.0.0", l.port()).ok());
}

TEST(PortHolderTest, CheckPassesOnAFreePortAndAnUnresolvableHost) {
  EXPECT_TRUE(check_port_free("127.0.0.1", osapi::testing::free_port()).ok());
  EXPECT_TRUE(check_port_free("no-such-host.invalid", osapi::testing::free_port()).ok());
}

}  // namespace
}  // namespace osapi::natsserver
