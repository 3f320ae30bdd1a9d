// node.hostname.update against a fake `hostnamectl` first on PATH; the real hostname is only
// ever read.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <vector>

#include "process.h"
#include "provider/hostname.h"
#include "provider/unsupported.h"

using namespace osapi;
using namespace osapi::provider;
using ojson = nlohmann::ordered_json;

namespace {

// Appends each invocation's arguments to <dir>/calls; prints `err` on stderr and exits `code`.
class FakeHostnamectl {
 public:
  explicit FakeHostnamectl(int code = 0, const std::string& err = "") {
    dir_.write("hostnamectl", "#!/bin/sh\necho \"$*\" >> '" + dir_.file("calls") + "'\n" +
                                  (err.empty() ? "" : "echo '" + err + "' >&2\n") + "exit " +
                                  std::to_string(code) + "\n");
    ::chmod(dir_.file("hostnamectl").c_str(), 0755);
    old_path_ = std::getenv("PATH");
    setenv("PATH", (dir_.path() + ":" + old_path_).c_str(), 1);
  }
  ~FakeHostnamectl() { setenv("PATH", old_path_.c_str(), 1); }
  std::string calls() const { return osapi::testing::read_file(dir_.file("calls")); }

 private:
  osapi::testing::TempDir dir_;
  std::string old_path_;
};

class NoHostnamectl {
 public:
  NoHostnamectl() : old_path_(std::getenv("PATH")) { setenv("PATH", dir_.path().c_str(), 1); }
  ~NoHostnamectl() { setenv("PATH", old_path_.c_str(), 1); }

 private:
  osapi::testing::TempDir dir_;
  std::string old_path_;
};

// A valid name that is certainly not the current one.
std::string other_name() {
  auto current = kernel_hostname();
  return current.ok() && *current == "osapi-renamed-a" ? "osapi-renamed-b" : "osapi-renamed-a";
}

}  // namespace

TEST(HostnameUpdate, SameNameChangesNothing) {
  FakeHostnamectl fake;
  auto current = kernel_hostname();
  ASSERT_TRUE(current.ok()) << current.error().message;
  if (!validate_hostname(*current).ok()) GTEST_SKIP() << "host name is not RFC 1123";
  auto r = update_hostname(*current);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(to_json(*r).dump(), R"({"changed":false})");
  EXPECT_EQ(fake.calls(), "");
}

TEST(HostnameUpdate, NewNameRunsSetHostname) {
  FakeHostnamectl fake;
  const std::string name = other_name();
  auto r = update_hostname(name);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(to_json(*r).dump(), R"({"changed":true})");
  EXPECT_EQ(fake.calls(), "set-hostname " + name + "\n");
}

TEST(HostnameUpdate, ToolFailureCarriesStderr) {
  FakeHostnamectl fake(1, "Could not set static hostname: Access denied");
  const std::string name = other_name();
  auto r = update_hostname(name);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "hostnamectl set-hostname " + name +
                                   ": exit status 1: Could not set static hostname: Access denied");
  EXPECT_EQ(fake.calls(), "set-hostname " + name + "\n");
}

TEST(HostnameUpdate, MissingTool) {
  NoHostnamectl none;
  auto r = update_hostname(other_name());
  ASSERT_FALSE(r.ok());
  // Not a failure of this job but a host that cannot do it: the agent answers `skipped`.
  EXPECT_TRUE(is_unsupported(r.error()));
  EXPECT_EQ(r.error().message,
            "operation not supported on this OS family: exec: \"hostnamectl\": executable file "
            "not found in $PATH");
}

TEST(HostnameUpdate, InvalidNamesAreRejectedBeforeRunning) {
  FakeHostnamectl fake;
  for (const std::string& bad :
       std::vector<std::string>{"", "-web", "web-", "web..01", ".web", "web.", "we_b", "web 01",
                                "web/01", "wéb", std::string(64, 'a'), std::string(254, 'a')}) {
    auto r = update_hostname(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.error().message.rfind("invalid hostname \"" + bad + "\": ", 0), 0u)
        << r.error().message;
  }
  EXPECT_EQ(fake.calls(), "");
}

TEST(HostnameUpdate, Validation) {
  EXPECT_TRUE(validate_hostname("a").ok());
  EXPECT_TRUE(validate_hostname("web-01").ok());
  EXPECT_TRUE(validate_hostname("Web-01.example.COM").ok());
  EXPECT_TRUE(validate_hostname("1host").ok());
  EXPECT_TRUE(validate_hostname(std::string(63, 'a')).ok());
  // 4 labels of 63 plus 3 dots = 255 > 253; 3 of 63 + one of 61 + 3 dots = 253.
  const std::string l63(63, 'a');
  EXPECT_TRUE(validate_hostname(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b')).ok());
  EXPECT_FALSE(validate_hostname(l63 + "." + l63 + "." + l63 + "." + std::string(62, 'b')).ok());
  EXPECT_EQ(validate_hostname("").error().message, "invalid hostname \"\": empty");
  EXPECT_EQ(validate_hostname("a..b").error().message, "invalid hostname \"a..b\": empty label");
  EXPECT_EQ(validate_hostname("a-.b").error().message,
            "invalid hostname \"a-.b\": a label cannot start or end with '-'");
}

TEST(HostnameUpdate, ParseJobData) {
  auto name = parse_hostname_update_data(ojson{{"hostname", "web-02"}});
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(*name, "web-02");
  auto missing = parse_hostname_update_data(ojson::object());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "missing hostname");
  auto wrong = parse_hostname_update_data(ojson{{"hostname", 5}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message,
            "json: cannot unmarshal number into field hostname of type string");
  EXPECT_FALSE(parse_hostname_update_data(ojson::array()).ok());
}
