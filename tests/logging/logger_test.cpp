// Logger format. Correlation with real spans is tested in
// tests/telemetry/log_correlation_test.cpp; here a fake context provider stands in.
#include "logging/logger.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <string>

namespace osapi::logging {
namespace {

std::string read_all(FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

bool fake_ids(char trace_id[32], char span_id[16]) {
  for (int i = 0; i < 32; ++i) trace_id[i] = "0123456789abcdef"[i % 16];
  for (int i = 0; i < 16; ++i) span_id[i] = 'a';
  return true;
}
bool no_ids(char*, char*) {
  return false;
}

class LoggerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    set_context_provider(nullptr);
    init({});
  }
};

// Strips the leading "<kitchen time> " so assertions do not depend on the clock.
std::string after_time(const std::string& line) {
  static const std::regex kTime(R"(^(1[0-2]|[1-9]):[0-5][0-9](AM|PM) )");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(line, m, kTime)) << line;
  return line.substr(m.length(0));
}

TEST_F(LoggerTest, TextFormatLevelsAndFields) {
  init({.level = Level::kDebug, .format = Format::kText});
  EXPECT_EQ(after_time(format_line(Level::kInfo, "publishing job request",
                                   {{"job_id", "9b2d"}, {"count", 3}, {"ok", true}})),
            "INF publishing job request job_id=9b2d count=3 ok=true\n");
  EXPECT_EQ(after_time(format_line(Level::kDebug, "m", {})), "DBG m\n");
  EXPECT_EQ(after_time(format_line(Level::kWarn, "m", {})), "WRN m\n");
  EXPECT_EQ(after_time(format_line(Level::kError, "m", {})), "ERR m\n");
}

TEST_F(LoggerTest, TextQuotesLikeGoSlog) {
  init({.format = Format::kText});
  EXPECT_EQ(after_time(format_line(Level::kInfo, "m",
                                   {{"empty", ""},
                                    {"space", "a b"},
                                    {"quote", "say \"hi\""},
                                    {"eq", "a=b"},
                                    {"nl", "a\nb"},
                                    {"plain", "a-b_c.d/e:f"}})),
            "INF m empty=\"\" space=\"a b\" quote=\"say \\\"hi\\\"\" eq=\"a=b\" nl=\"a\\nb\" "
            "plain=a-b_c.d/e:f\n");
}

TEST_F(LoggerTest, NumbersRoundTrip) {
  init({.format = Format::kText});
  EXPECT_EQ(after_time(format_line(Level::kInfo, "m", {{"d", 1.5}, {"n", -7}, {"big", 1e21}})),
            "INF m d=1.5 n=-7 big=1e+21\n");
}

TEST_F(LoggerTest, SecretsAreMasked) {
  init({.format = Format::kText});
  const std::string line =
      format_line(Level::kInfo, "m", {{"password", "hunter2"}, {"nats.token", "t"}, {"user", "u"}});
  EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  EXPECT_NE(line.find("password=****"), std::string::npos) << line;
  EXPECT_NE(line.find("nats.token=****"), std::string::npos) << line;
  EXPECT_NE(line.find("user=u"), std::string::npos) << line;
}

TEST_F(LoggerTest, JsonFormat) {
  init({.format = Format::kJson});
  const std::string line =
      format_line(Level::kWarn, "msg \"q\"", {{"a", "x"}, {"n", 3}, {"b", false}, {"d", 0.25}});
  static const std::regex kJson(
      R"re(^\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}([+-]\d\d:\d\d|Z)","level":"WARN","msg":"msg \\"q\\"","a":"x","n":3,"b":false,"d":0\.25\}\n$)re");
  EXPECT_TRUE(std::regex_match(line, kJson)) << line;
}

TEST_F(LoggerTest, JsonEscapesControlCharacters) {
  init({.format = Format::kJson});
  const std::string line = format_line(Level::kInfo, "m", {{"c", std::string("a\x01\tb")}});
  EXPECT_NE(line.find(R"("c":"a\u0001\tb")"), std::string::npos) << line;
}

TEST_F(LoggerTest, ContextProviderIdsAreLastTwoFields) {
  set_context_provider(&fake_ids);
  init({.format = Format::kText});
  EXPECT_EQ(after_time(format_line(Level::kInfo, "m", {{"k", "v"}})),
            "INF m k=v trace_id=0123456789abcdef0123456789abcdef span_id=aaaaaaaaaaaaaaaa\n");
  init({.format = Format::kJson});
  const std::string json = format_line(Level::kInfo, "m", {{"k", "v"}});
  EXPECT_NE(json.find(R"("k":"v","trace_id":"0123456789abcdef0123456789abcdef",)"
                      R"("span_id":"aaaaaaaaaaaaaaaa"}
)"),
            std::string::npos)
      << json;
  set_context_provider(&no_ids);
  EXPECT_EQ(format_line(Level::kInfo, "m", {}).find("trace_id"), std::string::npos);
}

TEST_F(LoggerTest, LevelFilteringAndOutput) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  init({.level = Level::kWarn, .format = Format::kText, .out = f});
  EXPECT_FALSE(enabled(Level::kInfo));
  EXPECT_TRUE(enabled(Level::kError));
  info("hidden");
  warn("shown", {{"k", 1}});
  error("also shown");
  const std::string out = read_all(f);
  EXPECT_EQ(out.find("hidden"), std::string::npos) << out;
  EXPECT_NE(out.find("WRN shown k=1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("ERR also shown\n"), std::string::npos) << out;
  init({});
  std::fclose(f);
}

TEST_F(LoggerTest, NoColourUnlessAsked) {
  init({.format = Format::kText, .color = false});
  EXPECT_EQ(format_line(Level::kInfo, "m", {}).find('\x1b'), std::string::npos);
  init({.format = Format::kText, .color = true});
  EXPECT_NE(format_line(Level::kInfo, "m", {}).find('\x1b'), std::string::npos);
  init({.format = Format::kJson, .color = true});
  EXPECT_EQ(format_line(Level::kInfo, "m", {}).find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace osapi::logging
