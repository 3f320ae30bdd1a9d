#include <gtest/gtest.h>

#include <unistd.h>

#include "fixture.h"
#include "provider/hostname.h"
#include "provider/load.h"
#include "provider/memory.h"
#include "provider/os_info.h"
#include "provider/status.h"
#include "provider/uptime.h"

using namespace osapi;
using namespace osapi::provider;
using osapi::provider::testing::FixtureRoot;
using ojson = nlohmann::ordered_json;

namespace {

std::vector<std::string> keys(const ojson& j) {
  std::vector<std::string> out;
  for (const auto& [k, v] : j.items()) out.push_back(k);
  return out;
}

const char kMeminfo[] =
    "MemTotal:       16318480 kB\n"
    "MemFree:         1234567 kB\n"
    "MemAvailable:    9000000 kB\n"
    "Buffers:          100000 kB\n"
    "Cached:          5000000 kB\n"
    "SwapCached:            0 kB\n"
    "SReclaimable:     400000 kB\n"
    "HugePages_Total:       0\n";

}  // namespace

TEST(Hostname, LiveMachine) {
  char buf[256] = {};
  ASSERT_EQ(gethostname(buf, sizeof buf - 1), 0);
  auto r = hostname();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(keys(*r), std::vector<std::string>{"hostname"});
  EXPECT_EQ((*r)["hostname"], std::string(buf));

  auto labeled = hostname({{"group", "web.dev.us-east"}, {"env", "dev"}});
  ASSERT_TRUE(labeled.ok());
  EXPECT_EQ(labeled->dump(), R"({"hostname":")" + std::string(buf) +
                                 R"(","labels":{"env":"dev","group":"web.dev.us-east"}})");
}

TEST(Uptime, ParsesFixture) {
  FixtureRoot fx;
  fx.write("proc/uptime", "12345.67 23456.78\n");
  auto r = uptime(fx.paths());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"uptime_seconds":12345.0,"uptime":"3h25m45s"})");
}

TEST(Uptime, MalformedAndMissing) {
  EXPECT_FALSE(parse_uptime("").ok());
  EXPECT_FALSE(parse_uptime("abc 1.0").ok());
  EXPECT_FALSE(parse_uptime("-5 1").ok());
  EXPECT_FALSE(parse_uptime("nan 1").ok());
  EXPECT_FALSE(parse_uptime("1e300 1").ok());
  EXPECT_EQ(*parse_uptime("59.99"), 59);
  FixtureRoot fx;
  auto r = uptime(fx.paths());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no such file or directory"), std::string::npos)
      << r.error().message;
}

TEST(Uptime, LiveMachine) {
  auto r = uptime();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(keys(*r), (std::vector<std::string>{"uptime_seconds", "uptime"}));
  EXPECT_TRUE((*r)["uptime_seconds"].is_number_float());
  EXPECT_TRUE((*r)["uptime"].is_string());
}

TEST(OsInfo, DebianUsesDebianVersion) {
  FixtureRoot fx;
  fx.write("etc/os-release",
           "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
           "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n# comment\n");
  fx.write("etc/debian_version", "12.7\n");
  auto r = os_info(fx.paths());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"Distribution":"debian","Version":"12.7"})");
}

TEST(OsInfo, OthersUseVersionId) {
  FixtureRoot fx;
  fx.write("etc/os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\n");
  fx.write("etc/debian_version", "trixie/sid\n");
  auto r = os_info(fx.paths());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"Distribution":"ubuntu","Version":"24.04"})");
}

TEST(OsInfo, MalformedAndMissing) {
  FixtureRoot fx;
  EXPECT_FALSE(os_info(fx.paths()).ok());
  using namespace std::string_literals;
  fx.write("etc/os-release", "\x00\xff=\n=x\nno equals\nID='rhel'\nVERSION_ID=\"9"s);
  auto r = os_info(fx.paths());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["Distribution"], "rhel");
  EXPECT_EQ((*r)["Version"], "\"9");
  // Debian without debian_version falls back to VERSION_ID.
  fx.write("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  EXPECT_EQ(os_info(fx.paths())->dump(), R"({"Distribution":"debian","Version":"12"})");
  // Invalid UTF-8 is replaced so the result can always be serialised.
  fx.write("etc/os-release", "ID=\xc3\x28x\n");
  EXPECT_NO_THROW((void)os_info(fx.paths())->dump());
}

TEST(OsInfo, LiveMachine) {
  auto r = os_info();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(keys(*r), (std::vector<std::string>{"Distribution", "Version"}));
}

TEST(Memory, ParsesFixture) {
  FixtureRoot fx;
  fx.write("proc/meminfo", kMeminfo);
  auto r = memory(fx.paths());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"Total":16710123520,"Free":1264196608,"Cached":5529600000})");
}

TEST(Memory, StatsCarryAvailable) {
  FixtureRoot fx;
  fx.write("proc/meminfo", kMeminfo);
  auto r = memory_stats(fx.paths());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->total, 16318480ull * 1024);
  EXPECT_EQ(r->available, 9000000ull * 1024);
  // Without MemAvailable (old kernels): Free + Cached, never above Total.
  auto old = parse_meminfo("MemTotal: 100 kB\nMemFree: 30 kB\nCached: 20 kB\n");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->available, 50u * 1024);
  auto capped = parse_meminfo("MemTotal: 100 kB\nMemFree: 90 kB\nCached: 20 kB\n");
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->available, 100u * 1024);
}

TEST(Memory, MalformedAndMissing) {
  EXPECT_FALSE(parse_meminfo("").ok());
  EXPECT_FALSE(parse_meminfo("MemTotal: 1 kB\n").ok());  // MemFree missing
  EXPECT_FALSE(parse_meminfo("MemTotal: abc kB\nMemFree: 1 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("MemTotal: -1 kB\nMemFree: 1 kB\n").ok());
  auto minimal = parse_meminfo("MemTotal: 2 kB\nMemFree: 1 kB\ngarbage line\n");
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_EQ(minimal->total, 2048u);
  EXPECT_EQ(minimal->cached, 0u);
  auto huge = parse_meminfo("MemTotal: 18446744073709551615 kB\nMemFree: 1 kB\n");
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->total, UINT64_MAX);
  FixtureRoot fx;
  EXPECT_FALSE(memory(fx.paths()).ok());
}

TEST(Memory, LiveMachine) {
  auto r = memory();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(keys(*r), (std::vector<std::string>{"Total", "Free", "Cached"}));
  EXPECT_GT((*r)["Total"].get<uint64_t>(), 0u);
}

TEST(Load, ParsesFixture) {
  FixtureRoot fx;
  fx.write("proc/loadavg", "0.10 0.25 1.50 1/234 5678\n");
  auto r = load(fx.paths());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"Load1":0.1,"Load5":0.25,"Load15":1.5})");
}

TEST(Load, MalformedAndMissing) {
  EXPECT_FALSE(parse_loadavg("").ok());
  EXPECT_FALSE(parse_loadavg("0.1 0.2").ok());
  EXPECT_FALSE(parse_loadavg("0.1 x 0.3").ok());
  EXPECT_FALSE(parse_loadavg(std::string("\xff\x00\x01", 3)).ok());
  FixtureRoot fx;
  EXPECT_FALSE(load(fx.paths()).ok());
}

TEST(Load, LiveMachine) {
  auto r = load();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(keys(*r), (std::vector<std::string>{"Load1", "Load5", "Load15"}));
}

TEST(Status, CombinesPartsFromFixture) {
  FixtureRoot fx;
  fx.write("proc/uptime", "3600.9 1.0\n");
  fx.write("proc/meminfo", kMeminfo);
  fx.write("proc/loadavg", "0.10 0.25 1.50 1/234 5678\n");
  fx.write("proc/self/mountinfo", "");
  fx.write("etc/os-release", "ID=ubuntu\nVERSION_ID=\"24.04\"\n");
  const ojson s = status(fx.paths());
  EXPECT_EQ(keys(s), (std::vector<std::string>{"hostname", "os_info", "uptime", "disk_usage",
                                               "memory_stats", "load_averages"}));
  EXPECT_TRUE(s["hostname"].is_string());
  EXPECT_EQ(s["os_info"].dump(), R"({"Distribution":"ubuntu","Version":"24.04"})");
  EXPECT_TRUE(s["uptime"].is_number_integer());
  EXPECT_EQ(s["uptime"].get<int64_t>(), 3600LL * 1'000'000'000LL);
  EXPECT_EQ(s["disk_usage"].dump(), "[]");
  EXPECT_EQ(s["memory_stats"]["Total"], 16710123520ULL);
  EXPECT_EQ(s["load_averages"]["Load15"], 1.5);
}

TEST(Status, FailingPartsBecomeNull) {
  FixtureRoot fx;  // empty tree: every file-based part fails
  const ojson s = status(fx.paths());
  EXPECT_TRUE(s["hostname"].is_string());
  for (const char* part : {"os_info", "uptime", "disk_usage", "memory_stats", "load_averages"}) {
    EXPECT_TRUE(s[part].is_null()) << part;
  }
}

TEST(Status, LiveMachine) {
  const ojson s = status();
  for (const char* part : {"hostname", "os_info", "uptime", "memory_stats", "load_averages"}) {
    EXPECT_FALSE(s[part].is_null()) << part;
  }
  EXPECT_TRUE(s.contains("disk_usage"));
  EXPECT_NO_THROW((void)s.dump());
}
