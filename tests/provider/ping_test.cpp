#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

#include "provider/ping.h"

using namespace osapi;
using namespace osapi::provider;
using ojson = nlohmann::ordered_json;

namespace {

// ICMP needs root/CAP_NET_RAW or net.ipv4.ping_group_range; skip where neither is available.
bool icmp_available() {
  for (int type : {SOCK_DGRAM, SOCK_RAW}) {
    const int fd = ::socket(AF_INET, type, IPPROTO_ICMP);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
  }
  return false;
}

}  // namespace

TEST(PingProvider, E2E4_LoopbackAnswersThreeEchoes) {
  if (!icmp_available()) GTEST_SKIP() << "no ICMP socket permitted on this host";
  PingOptions o;
  o.interval = std::chrono::milliseconds(100);  // the default 1 s spacing is tested end to end
  auto r = ping("127.0.0.1", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->packets_sent, 3);
  EXPECT_EQ(r->packets_received, 3);
  EXPECT_EQ(r->packet_loss, 0);
  EXPECT_LE(r->min_rtt_ns, r->avg_rtt_ns);
  EXPECT_LE(r->avg_rtt_ns, r->max_rtt_ns);
  EXPECT_GT(r->max_rtt_ns, 0);
  const ojson j = to_json(*r);
  EXPECT_EQ(j["PacketLoss"].dump(), "0");  // integral percent, not 0.0
  EXPECT_EQ(j["PacketsSent"], 3);
}

TEST(PingProvider, MissingAddress) {
  EXPECT_EQ(ping("").error().message, "missing ping address");
  EXPECT_EQ(parse_ping_data(ojson::object()).error().message, "missing ping address");
  EXPECT_EQ(parse_ping_data(ojson{{"address", ""}}).error().message, "missing ping address");
  EXPECT_EQ(*parse_ping_data(ojson{{"address", "1.1.1.1"}}), "1.1.1.1");
}

TEST(PingProvider, PartialLossIsFractional) {
  PingStats s;
  s.packets_sent = 3;
  s.packets_received = 2;
  s.packet_loss = 100.0 / 3;
  const ojson j = to_json(s);
  EXPECT_TRUE(j["PacketLoss"].is_number_float());
  EXPECT_EQ(std::vector<std::string>(
                {"PacketsSent", "PacketsReceived", "PacketLoss", "MinRTT", "AvgRTT", "MaxRTT"}),
            [&] {
              std::vector<std::string> k;
              for (const auto& [key, v] : j.items()) k.push_back(key);
              return k;
            }());
}

TEST(PingProvider, PI8_RttText) {
  EXPECT_EQ(rtt_text(0), "0.00ms");
  EXPECT_EQ(rtt_text(15'000'000), "15.00ms");
  EXPECT_EQ(rtt_text(22'633'115), "22.63ms");
  EXPECT_EQ(rtt_text(1'000'000'000), "1000.00ms");
}

TEST(PingProvider, Ipv6Loopback) {
  const int fd = ::socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  const int dfd = ::socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
  if (fd < 0 && dfd < 0) GTEST_SKIP() << "no ICMPv6 socket permitted on this host";
  if (fd >= 0) ::close(fd);
  if (dfd >= 0) ::close(dfd);
  PingOptions o;
  o.interval = std::chrono::milliseconds(50);
  auto r = ping("::1", o);
  if (!r.ok() && r.error().message.find("sendto") != std::string::npos)
    GTEST_SKIP() << "no IPv6 loopback: " << r.error().message;
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->packets_received, 3);
}
