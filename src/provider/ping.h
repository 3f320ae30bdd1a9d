// network.ping.do: ICMP echo over an unprivileged datagram socket (needs
// net.ipv4.ping_group_range), or a raw socket when root / CAP_NET_RAW.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace osapi::provider {

struct PingOptions {
  int count = 3;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{5000};  // the whole operation
};

struct PingStats {
  int packets_sent = 0;
  int packets_received = 0;
  double packet_loss = 0;  // percent
  int64_t min_rtt_ns = 0, avg_rtt_ns = 0, max_rtt_ns = 0;
};

// Sends `count` echo requests `interval` apart and waits for the replies. Errors:
// "missing ping address"; "ping operation timed out after 5s" when no reply arrived in time
// (a partial loss is a result with PacketLoss > 0); socket/resolve failures.
Result<PingStats> ping(const std::string& address, const PingOptions& options = {});

// Job data {"address"} → address. Errors: "missing ping address", malformed data.
Result<std::string> parse_ping_data(const nlohmann::ordered_json& data);

// {"PacketsSent","PacketsReceived","PacketLoss","MinRTT","AvgRTT","MaxRTT"} (RTTs in ns).
nlohmann::ordered_json to_json(const PingStats& stats);

// An RTT for the API: milliseconds with two decimals, "22.63ms" for 22633115 ns.
std::string rtt_text(int64_t nanoseconds);

}  // namespace osapi::provider
