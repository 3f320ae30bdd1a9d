#include "provider/facts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bit>
#include <filesystem>

#include "process.h"

using namespace osapi;
using namespace osapi::provider;
using ojson = nlohmann::ordered_json;

namespace {

// Addresses in /proc/net/route are the in-memory bytes printed as a host-order number, so this
// fixture text (written on a little-endian host) decodes as documented only there.
const char kRouteTable[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"
    "                                                       \n"
    "eth0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0"
    "                                                                               \n"
    "eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
    "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";

bool little_endian() {
  return std::endian::native == std::endian::little;
}

// A temp root with the files facts read: proc/net/route, run/systemd/system, .dockerenv.
class FactsRoot {
 public:
  FactsRoot() { mkdirs("proc/net"); }
  const std::string& path() const { return dir_.path(); }
  void mkdirs(const std::string& rel) const { std::filesystem::create_directories(dir_.file(rel)); }
  void write(const std::string& rel, const std::string& text) const { dir_.write(rel, text); }
  // An executable file at <root>/<rel>.
  std::string tool(const std::string& rel) const {
    const std::string p = dir_.write(rel, "#!/bin/sh\nexit 0\n");
    ::chmod(p.c_str(), 0755);
    return p;
  }
  FactsOptions options() const {
    FactsOptions o;
    o.root = dir_.path();
    o.path_env = dir_.file("nowhere");  // no package manager unless a test adds one
    return o;
  }

 private:
  osapi::testing::TempDir dir_;
};

}  // namespace

TEST(Facts, MapsArchitectureLikeGo) {
  EXPECT_EQ(map_architecture("x86_64"), "amd64");
  EXPECT_EQ(map_architecture("aarch64"), "arm64");
  EXPECT_EQ(map_architecture("riscv64"), "riscv64");
  EXPECT_EQ(map_architecture("armv7l"), "armv7l");
  EXPECT_EQ(map_architecture(""), "");
}

TEST(Facts, ParsesProcNetRoute) {
  if (!little_endian()) GTEST_SKIP() << "fixture encodes little-endian addresses";
  const auto routes = parse_proc_net_route(kRouteTable);
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].interface_name, "eth0");
  EXPECT_EQ(routes[0].destination, "0.0.0.0");
  EXPECT_EQ(routes[0].gateway, "192.168.0.1");
  EXPECT_EQ(routes[0].mask, "0.0.0.0");
  EXPECT_EQ(routes[0].metric, 100);
  EXPECT_EQ(routes[0].flags, "0003");
  EXPECT_EQ(routes[1].destination, "192.168.0.0");
  EXPECT_EQ(routes[1].gateway, "0.0.0.0");
  EXPECT_EQ(routes[1].mask, "255.255.255.0");
  EXPECT_EQ(routes[1].flags, "0001");
  EXPECT_EQ(routes[2].interface_name, "docker0");
  EXPECT_EQ(routes[2].destination, "172.17.0.0");
  EXPECT_EQ(routes[2].mask, "255.255.0.0");
  EXPECT_EQ(routes[2].metric, 0);
}

TEST(Facts, RouteParserSkipsMalformedLines) {
  if (!little_endian()) GTEST_SKIP() << "fixture encodes little-endian addresses";
  const auto routes = parse_proc_net_route(
      "garbage\n"
      "eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\n"                     // too few fields
      "eth0\tXXXXXXXX\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"  // bad hex
      "eth0\t0000A8C\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"   // 7 digits
      "eth0\t0000A8C0\t00000000\t0001\t0\t0\tx\t00FFFFFF\t0\t0\t0\n"    // bad metric
      "\n"
      "wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0");  // no final newline
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].interface_name, "wlan0");
  EXPECT_EQ(routes[0].destination, "192.168.1.0");
  EXPECT_EQ(routes[0].metric, 600);
  EXPECT_TRUE(parse_proc_net_route("").empty());
  EXPECT_TRUE(parse_proc_net_route("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask")
                  .empty());
}

TEST(Facts, PrimaryInterfaceIsLowestMetricDefaultRoute) {
  std::vector<Route> routes{
      {"10.0.0.0", "0.0.0.0", "eth1", "255.0.0.0", 0, "0001"},
      {"0.0.0.0", "10.0.0.1", "wlan0", "0.0.0.0", 600, "0003"},
      {"0.0.0.0", "192.168.0.1", "eth0", "0.0.0.0", 100, "0003"},
      {"0.0.0.0", "192.168.0.1", "eth2", "0.0.0.0", 100, "0003"},
  };
  EXPECT_EQ(primary_interface_of(routes), "eth0");
  routes.erase(routes.begin() + 1, routes.end());
  EXPECT_EQ(primary_interface_of(routes), "");
  // 0.0.0.0 with a non-zero mask is not a default route.
  EXPECT_EQ(primary_interface_of({{"0.0.0.0", "0.0.0.0", "eth3", "255.0.0.0", 0, "0001"}}), "");
  EXPECT_EQ(primary_interface_of({}), "");
}

TEST(Facts, InterfaceFamily) {
  EXPECT_EQ(interface_family(true, true), "dual");
  EXPECT_EQ(interface_family(true, false), "inet");
  EXPECT_EQ(interface_family(false, true), "inet6");
  EXPECT_EQ(interface_family(false, false), "");
}

TEST(Facts, ServiceManagerFromRunSystemd) {
  FactsRoot root;
  EXPECT_EQ(detect_service_mgr(root.options()), "unknown");
  root.mkdirs("run/systemd/system");
  EXPECT_EQ(detect_service_mgr(root.options()), "systemd");
}

TEST(Facts, ContainerizedFromDockerenv) {
  FactsRoot root;
  EXPECT_FALSE(detect_containerized(root.options()));
  root.write(".dockerenv", "");
  EXPECT_TRUE(detect_containerized(root.options()));
}

TEST(Facts, PackageManagerIsFirstOfAptDnfYum) {
  FactsRoot root;
  root.mkdirs("bin1");
  root.mkdirs("bin2");
  FactsOptions o = root.options();
  o.path_env = root.path() + "/bin1:" + root.path() + "/bin2";
  EXPECT_EQ(detect_package_mgr(o), "unknown");
  root.tool("bin1/yum");
  EXPECT_EQ(detect_package_mgr(o), "yum");
  root.tool("bin1/dnf");
  EXPECT_EQ(detect_package_mgr(o), "dnf");
  // apt wins over dnf even from a later PATH entry.
  root.tool("bin2/apt");
  EXPECT_EQ(detect_package_mgr(o), "apt");
}

TEST(Facts, PackageManagerNeedsAnExecutableFile) {
  FactsRoot root;
  root.mkdirs("bin/apt");         // a directory named apt
  root.write("bin/dnf", "text");  // not executable
  FactsOptions o = root.options();
  o.path_env = root.path() + "/bin";
  EXPECT_EQ(detect_package_mgr(o), "unknown");
}

TEST(Facts, FqdnOfLocalhost) {
  EXPECT_EQ(lookup_fqdn("localhost"), "localhost");
  EXPECT_EQ(lookup_fqdn(""), "");
}

TEST(Facts, LiveInterfacesSkipLoopback) {
  for (const auto& i : collect_interfaces()) {
    EXPECT_NE(i.name, "lo");
    EXPECT_FALSE(i.name.empty());
    EXPECT_EQ(i.family, interface_family(!i.ipv4.empty(), !i.ipv6.empty())) << i.name;
    if (!i.mac.empty()) {
      EXPECT_EQ(i.mac.size(), 17u) << i.mac;
    }
  }
}

TEST(Facts, CollectReadsUnderRoot) {
  if (!little_endian()) GTEST_SKIP() << "fixture encodes little-endian addresses";
  FactsRoot root;
  root.write("proc/net/route", kRouteTable);
  root.mkdirs("run/systemd/system");
  root.write(".dockerenv", "");
  root.mkdirs("usr/bin");
  root.tool("usr/bin/dnf");
  FactsOptions o = root.options();
  o.path_env = root.path() + "/usr/bin";

  const Facts f = collect_facts(o);
  struct utsname u {};
  ASSERT_EQ(::uname(&u), 0);
  EXPECT_EQ(f.architecture, map_architecture(u.machine));
  EXPECT_EQ(f.kernel_version, u.release);
  EXPECT_EQ(f.cpu_count, ::sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_GT(f.cpu_count, 0);
  EXPECT_FALSE(f.fqdn.empty());
  EXPECT_EQ(f.service_mgr, "systemd");
  EXPECT_EQ(f.package_mgr, "dnf");
  EXPECT_TRUE(f.containerized);
  ASSERT_EQ(f.routes.size(), 3u);
  EXPECT_EQ(f.routes[0].gateway, "192.168.0.1");
  EXPECT_EQ(f.primary_interface, "eth0");
}

TEST(Facts, CollectWithEmptyRoot) {
  FactsRoot root;  // no route table, no systemd, no .dockerenv, no package manager
  const Facts f = collect_facts(root.options());
  EXPECT_FALSE(f.architecture.empty());
  EXPECT_EQ(f.service_mgr, "unknown");
  EXPECT_EQ(f.package_mgr, "unknown");
  EXPECT_FALSE(f.containerized);
  EXPECT_TRUE(f.routes.empty());
  EXPECT_EQ(f.primary_interface, "");
}

namespace {

Facts sample_facts() {
  Facts f;
  f.architecture = "amd64";
  f.kernel_version = "6.1.0-18-amd64";
  f.cpu_count = 4;
  f.fqdn = "web-01.example.com";
  f.service_mgr = "systemd";
  f.package_mgr = "apt";
  f.containerized = false;
  f.interfaces = {{"eth0", "192.168.0.10", "2001:db8::10", "52:54:00:12:34:56", "dual"},
                  {"wg0", "10.8.0.2", "", "", "inet"}};
  f.routes = {{"0.0.0.0", "192.168.0.1", "eth0", "0.0.0.0", 100, "0003"}};
  f.primary_interface = "eth0";
  return f;
}

}  // namespace

TEST(Facts, JsonUsesSnakeCaseKeys) {
  EXPECT_EQ(to_json(sample_facts()).dump(),
            R"({"architecture":"amd64","kernel_version":"6.1.0-18-amd64","cpu_count":4,)"
            R"("fqdn":"web-01.example.com","service_mgr":"systemd","package_mgr":"apt",)"
            R"("containerized":false,"interfaces":[{"name":"eth0","ipv4":"192.168.0.10",)"
            R"("ipv6":"2001:db8::10","mac":"52:54:00:12:34:56","family":"dual"},)"
            R"({"name":"wg0","ipv4":"10.8.0.2","family":"inet"}],)"
            R"("routes":[{"destination":"0.0.0.0","gateway":"192.168.0.1","interface":"eth0",)"
            R"("mask":"0.0.0.0","metric":100,"flags":"0003"}],"primary_interface":"eth0"})");
  EXPECT_EQ(to_json(Facts{}).dump(),
            R"({"architecture":"","kernel_version":"","cpu_count":0,"fqdn":"",)"
            R"("service_mgr":"","package_mgr":"","containerized":false,"interfaces":[],)"
            R"("routes":[],"primary_interface":""})");
}

TEST(Facts, JsonRoundTrip) {
  const Facts f = sample_facts();
  const ojson j = to_json(f);
  auto back = facts_from_json(ojson::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(to_json(*back), j);
  EXPECT_EQ(back->interfaces[1].ipv6, "");
  EXPECT_EQ(back->routes[0].interface_name, "eth0");
  EXPECT_EQ(back->routes[0].metric, 100);
}

TEST(Facts, FromJsonToleratesMissingAndExtraKeys) {
  auto f = facts_from_json(ojson{{"architecture", "arm64"},
                                 {"containerized", true},
                                 {"interfaces", nullptr},
                                 {"facts", ojson::object()}});
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->architecture, "arm64");
  EXPECT_TRUE(f->containerized);
  EXPECT_EQ(f->cpu_count, 0);
  EXPECT_TRUE(f->interfaces.empty());
}

TEST(Facts, FromJsonRejectsWrongTypes) {
  auto message = [](const ojson& j) {
    auto f = facts_from_json(j);
    return f.ok() ? std::string("ok") : f.error().message;
  };
  EXPECT_EQ(message(ojson::array()), "facts: expected an object");
  EXPECT_EQ(message(ojson{{"cpu_count", "4"}}), "facts: cpu_count: expected integer");
  EXPECT_EQ(message(ojson{{"cpu_count", 1.5}}), "facts: cpu_count: expected integer");
  EXPECT_EQ(message(ojson{{"fqdn", 1}}), "facts: fqdn: expected string");
  EXPECT_EQ(message(ojson{{"containerized", "yes"}}), "facts: containerized: expected boolean");
  EXPECT_EQ(message(ojson{{"interfaces", "eth0"}}), "facts: interfaces: expected array");
  EXPECT_EQ(message(ojson{{"interfaces", {1}}}), "facts: interfaces[]: expected object");
  EXPECT_EQ(message(ojson{{"interfaces", {{{"name", 3}}}}}),
            "facts: interfaces[].name: expected string");
  EXPECT_EQ(message(ojson{{"routes", {{{"metric", "100"}}}}}),
            "facts: routes[].metric: expected integer");
  EXPECT_EQ(message(ojson{{"cpu_count", 1LL << 40}}), "facts: cpu_count: expected 32-bit integer");
}
