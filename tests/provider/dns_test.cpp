#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "process.h"
#include "provider/dns.h"
#include "provider/unsupported.h"

using namespace osapi;
using namespace osapi::provider;
using ojson = nlohmann::ordered_json;
using Strings = std::vector<std::string>;

namespace {

const char kStatus[] =
    "Link 2 (eth0)\n"
    "    Current Scopes: DNS\n"
    "         Protocols: +DefaultRoute +LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported\n"
    "Current DNS Server: 192.168.1.1\n"
    "       DNS Servers: 192.168.1.1\n"
    "                    8.8.8.8\n"
    "                    fe80::1\n"
    "        DNS Domain: example.com\n"
    "                    local.lan\n"
    "     Default Route: yes\n";

// A fake `resolvectl` first on PATH: prints `status_out` for `status`, exits `status_code`,
// and appends every invocation's arguments to <dir>/calls. PATH is restored on destruction.
class FakeResolvectl {
 public:
  explicit FakeResolvectl(const std::string& status_out, int status_code = 0, int write_code = 0) {
    dir_.write("status.txt", status_out);
    dir_.write("resolvectl",
               "#!/bin/sh\n"
               "echo \"$*\" >> '" +
                   dir_.file("calls") +
                   "'\n"
                   "if [ \"$1\" = status ]; then cat '" +
                   dir_.file("status.txt") + "'; exit " + std::to_string(status_code) +
                   "; fi\n"
                   "exit " +
                   std::to_string(write_code) + "\n");
    ::chmod(dir_.file("resolvectl").c_str(), 0755);
    old_path_ = std::getenv("PATH");
    setenv("PATH", (dir_.path() + ":" + old_path_).c_str(), 1);
  }
  ~FakeResolvectl() { setenv("PATH", old_path_.c_str(), 1); }
  std::string calls() const { return osapi::testing::read_file(dir_.file("calls")); }

 private:
  osapi::testing::TempDir dir_;
  std::string old_path_;
};

// PATH without any resolvectl (only a directory holding nothing), restored on destruction.
class NoResolvectl {
 public:
  NoResolvectl() : old_path_(std::getenv("PATH")) { setenv("PATH", dir_.path().c_str(), 1); }
  ~NoResolvectl() { setenv("PATH", old_path_.c_str(), 1); }

 private:
  osapi::testing::TempDir dir_;
  std::string old_path_;
};

}  // namespace

TEST(DnsProvider, ParsesResolvectlContinuationLines) {
  const DnsConfig c = parse_resolvectl_status(kStatus);
  EXPECT_EQ(c.servers, (Strings{"192.168.1.1", "8.8.8.8", "fe80::1"}));
  EXPECT_EQ(c.search_domains, (Strings{"example.com", "local.lan"}));
}

TEST(DnsProvider, ParsesResolvConf) {
  const DnsConfig c = parse_resolv_conf(
      "# comment\nnameserver 10.0.0.2\nnameserver 2001:db8::1\nsearch a.example b.example\n"
      "options ndots:2\n; other comment\n");
  EXPECT_EQ(c.servers, (Strings{"10.0.0.2", "2001:db8::1"}));
  EXPECT_EQ(c.search_domains, (Strings{"a.example", "b.example"}));
}

TEST(DnsProvider, ND1_GetFromResolvectl) {
  FakeResolvectl fake(kStatus);
  auto c = get_dns("eth0");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(to_json(*c).dump(), R"({"DNSServers":["192.168.1.1","8.8.8.8","fe80::1"],)"
                                R"("SearchDomains":["example.com","local.lan"]})");
  EXPECT_EQ(fake.calls(), "status eth0\n");
}

TEST(DnsProvider, EmptyInterfaceMeansEth0AndNoDomainIsDot) {
  FakeResolvectl fake("Link 2 (eth0)\n       DNS Servers: 1.1.1.1\n");
  auto c = get_dns("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->search_domains, Strings{"."});
  EXPECT_EQ(fake.calls(), "status eth0\n");
}

TEST(DnsProvider, UnknownInterface) {
  FakeResolvectl fake("Failed to resolve interface \"eth9\": No such device\n", 1);
  auto c = get_dns("eth9");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "interface \"eth9\" does not exist");
}

TEST(DnsProvider, E2E2_NoResolvectlFallsBackToResolvConf) {
  osapi::testing::TempDir dir;
  DnsOptions o;
  o.resolv_conf = dir.write("resolv.conf", "nameserver 9.9.9.9\n");
  NoResolvectl none;
  auto c = get_dns("eth0", o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->servers, Strings{"9.9.9.9"});
  EXPECT_EQ(c->search_domains, Strings{"."});
}

TEST(DnsProvider, InactiveResolvedFallsBackToResolvConf) {
  osapi::testing::TempDir dir;
  DnsOptions o;
  o.resolv_conf = dir.write("resolv.conf", "nameserver 9.9.9.9\nsearch corp\n");
  FakeResolvectl fake(
      "Failed to get global data: Unit dbus-org.freedesktop.resolve1.service not "
      "found.\n",
      1);
  auto c = get_dns("eth0", o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->search_domains, Strings{"corp"});
}

TEST(DnsProvider, FallbackFailureNamesBothCauses) {
  DnsOptions o;
  o.resolv_conf = "/nonexistent/resolv.conf";
  NoResolvectl none;
  auto c = get_dns("eth0", o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("resolvectl not found"), std::string::npos);
  EXPECT_NE(c.error().message.find("/nonexistent/resolv.conf"), std::string::npos);
}

TEST(DnsProvider, RejectsOptionLikeInterface) {
  FakeResolvectl fake(kStatus);
  EXPECT_FALSE(get_dns("-h").ok());
  EXPECT_FALSE(get_dns("a/b").ok());
  EXPECT_EQ(fake.calls(), "");
}

TEST(DnsProvider, UpdateRunsDnsThenDomainKeepingMissingList) {
  FakeResolvectl fake(kStatus);
  DnsUpdate u;
  u.interface_name = "eth0";
  u.servers = Strings{"1.1.1.1", "8.8.4.4"};
  auto r = update_dns(u);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(
      to_json(*r).dump(),
      R"({"success":true,"changed":true,"message":"DNS configuration updated successfully"})");
  EXPECT_EQ(fake.calls(),
            "status eth0\ndns eth0 1.1.1.1 8.8.4.4\ndomain eth0 example.com local.lan\n");
}

TEST(DnsProvider, UpdateDropsRootDomain) {
  FakeResolvectl fake(kStatus);
  DnsUpdate u;
  u.interface_name = "eth0";
  u.search_domains = Strings{"corp", "."};
  auto r = update_dns(u);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(fake.calls(), "status eth0\ndns eth0 192.168.1.1 8.8.8.8 fe80::1\ndomain eth0 corp\n");
}

TEST(DnsProvider, UpdateEqualToCurrentChangesNothing) {
  FakeResolvectl fake(kStatus);
  DnsUpdate u;
  u.interface_name = "eth0";
  u.servers = Strings{"192.168.1.1", "8.8.8.8", "fe80::1"};
  u.search_domains = Strings{"example.com", "local.lan"};
  auto r = update_dns(u);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(fake.calls(), "status eth0\n");  // no dns/domain command
}

TEST(DnsProvider, UpdateNeedsSomething) {
  FakeResolvectl fake(kStatus);
  DnsUpdate u;
  u.servers = Strings{};
  auto r = update_dns(u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "no DNS servers or search domains provided; nothing to update");
  EXPECT_EQ(fake.calls(), "");
}

TEST(DnsProvider, UpdateToolFailureIsReported) {
  FakeResolvectl fake(kStatus, 0, 1);
  DnsUpdate u;
  u.servers = Strings{"1.1.1.1"};
  auto r = update_dns(u);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("resolvectl dns eth0: exit status 1"), std::string::npos)
      << r.error().message;
}

TEST(DnsProvider, CL13_UpdateWithoutResolvectlFails) {
  NoResolvectl none;
  DnsUpdate u;
  u.servers = Strings{"1.1.1.1"};
  auto r = update_dns(u);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_unsupported(r.error()));
  EXPECT_EQ(r.error().message,
            "operation not supported on this OS family: exec: \"resolvectl\": executable file "
            "not found in $PATH");
}

TEST(DnsProvider, ParseJobData) {
  EXPECT_EQ(*parse_dns_get_data(ojson{{"interface", "eth1"}}), "eth1");
  EXPECT_EQ(*parse_dns_get_data(ojson::object()), "");
  EXPECT_FALSE(parse_dns_get_data(ojson{{"interface", 5}}).ok());
  auto u = parse_dns_update_data(ojson{{"servers", {"1.1.1.1"}}, {"interface", "eth0"}});
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->servers.has_value());
  EXPECT_FALSE(u->search_domains.has_value());
  auto bad = parse_dns_update_data(ojson{{"servers", "1.1.1.1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("cannot unmarshal"), std::string::npos);
}

TEST(DnsProvider, DeleteRevertsInterfaceWithSettings) {
  FakeResolvectl fake(kStatus);
  auto r = delete_dns("eth0");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(
      to_json(*r).dump(),
      R"({"success":true,"changed":true,"message":"DNS configuration deleted successfully"})");
  EXPECT_EQ(fake.calls(), "status eth0\nrevert eth0\n");
}

TEST(DnsProvider, DeleteWithOnlyDomainsStillReverts) {
  FakeResolvectl fake("Link 3 (ens3)\n        DNS Domain: corp.example\n");
  auto r = delete_dns("ens3");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(fake.calls(), "status ens3\nrevert ens3\n");
}

TEST(DnsProvider, DeleteWithNothingSetChangesNothing) {
  FakeResolvectl fake("Link 2 (eth0)\n    Current Scopes: none\n     Default Route: no\n");
  auto r = delete_dns("eth0");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->message, "no DNS configuration to delete");
  EXPECT_EQ(fake.calls(), "status eth0\n");  // no revert
}

TEST(DnsProvider, DeleteRootDomainOnlyChangesNothing) {
  FakeResolvectl fake("Link 2 (eth0)\n        DNS Domain: .\n");
  auto r = delete_dns("eth0");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(fake.calls(), "status eth0\n");
}

TEST(DnsProvider, DeleteEmptyInterfaceMeansDefault) {
  FakeResolvectl fake(kStatus);
  DnsOptions o;
  o.default_interface = "ens5";
  auto r = delete_dns("", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(fake.calls(), "status ens5\nrevert ens5\n");
}

TEST(DnsProvider, DeleteToolFailureIsReported) {
  FakeResolvectl fake(kStatus, 0, 1);
  auto r = delete_dns("eth0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "resolvectl revert eth0: exit status 1");
  EXPECT_EQ(fake.calls(), "status eth0\nrevert eth0\n");
}

TEST(DnsProvider, DeleteUnknownInterface) {
  FakeResolvectl fake("Failed to resolve interface \"eth9\": No such device\n", 1);
  auto r = delete_dns("eth9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "interface \"eth9\" does not exist");
  EXPECT_EQ(fake.calls(), "status eth9\n");
}

TEST(DnsProvider, DeleteRejectsOptionLikeInterface) {
  FakeResolvectl fake(kStatus);
  EXPECT_FALSE(delete_dns("--help").ok());
  EXPECT_FALSE(delete_dns("../x").ok());
  EXPECT_EQ(fake.calls(), "");
}

TEST(DnsProvider, DeleteWithoutResolvectlFails) {
  NoResolvectl none;
  auto r = delete_dns("eth0");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_unsupported(r.error()));
  EXPECT_EQ(r.error().message,
            "operation not supported on this OS family: exec: \"resolvectl\": executable file "
            "not found in $PATH");
}

TEST(DnsProvider, ParseDeleteData) {
  EXPECT_EQ(*parse_dns_delete_data(ojson{{"interface", "ens3"}}), "ens3");
  EXPECT_EQ(*parse_dns_delete_data(ojson::object()), "");
  auto bad = parse_dns_delete_data(ojson{{"interface", true}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "json: cannot unmarshal boolean into field interface of type string");
  EXPECT_FALSE(parse_dns_delete_data(ojson("eth0")).ok());
}
