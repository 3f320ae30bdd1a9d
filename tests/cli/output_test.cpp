// The building blocks of the client commands' human output: KV lines, compact tables, per-host
// result tables with summary and details, raw lines and value formats.
#include "cli/output.h"

#include <gtest/gtest.h>

#include "cli/api_call.h"

namespace osapi::cli {
namespace {

const Style kPlain{};

TEST(KvLine, PadsEveryPairButTheLastToTwentyPlusFour) {
  EXPECT_EQ(kv_line({{"Job ID", "abc"}}, kPlain), "  Job ID: abc\n");
  EXPECT_EQ(kv_line({{"Status", "ok"}, {"Version", "1.0"}}, kPlain),
            "  Status: ok" + std::string(24 - 10, ' ') + "Version: 1.0\n");
}

TEST(KvLine, AWidePairWidensEveryColumn) {
  const std::string wide = "Uptime: " + std::string(30, 'x');  // 38 columns
  const std::string line = kv_line({{"Status", "ok"}, {"Uptime", std::string(30, 'x')}}, kPlain);
  EXPECT_EQ(line, "  Status: ok" + std::string(38 + 4 - 10, ' ') + wide + "\n");
}

TEST(KvLine, ColourWrapsLabelAndValue) {
  Style colour;
  colour.color = true;
  const std::string line = kv_line({{"Status", "ok"}}, colour);
  EXPECT_EQ(line, "  \x1b[1;35mStatus:\x1b[0m \x1b[36mok\x1b[0m\n");
}

TEST(RenderTable, HeadersUpperCasedColumnsPaddedLastColumnNot) {
  const Table t{{"Name", "load (1m)"}, {{"web-01", "0.50"}, {"a", "12.00"}}};
  EXPECT_EQ(render_table(t, kPlain),
            "  NAME    LOAD (1M)\n"
            "  web-01  0.50\n"
            "  a       12.00\n");
}

TEST(RenderTable, EmptyTrailingCellsLeaveNoTrailingSpaces) {
  const Table t{{"A", "B", "C"}, {{"x", "", ""}, {"y", "z", ""}}};
  EXPECT_EQ(render_table(t, kPlain),
            "  A  B  C\n"
            "  x\n"
            "  y  z\n");
}

TEST(RenderTable, WhitespaceInsideACellCollapses) {
  const Table t{{"STDOUT"}, {{"  line1\nline2\t\tend \n"}}};
  EXPECT_EQ(render_table(t, kPlain), "  STDOUT\n  line1 line2 end\n");
}

TEST(RenderTable, LongCellsAreCutToTheColumnCapWithAnEllipsis) {
  const std::string long_cell(100, 'a');
  const Table t{{"X", "Y"}, {{long_cell, "end"}}};
  const std::string out = render_table(t, kPlain);
  const std::string cut = std::string(kMaxColumnWidth - 1, 'a') + "…";
  EXPECT_EQ(out, "  X" + std::string(kMaxColumnWidth + 1, ' ') + "Y\n  " + cut + "  end\n");
}

TEST(RenderTable, WidthCountsCodePointsNotBytes) {
  const Table t{{"H", "V"}, {{"├─ kv", "ok"}}};
  EXPECT_EQ(render_table(t, kPlain), "  H      V\n  ├─ kv  ok\n");
}

TEST(Section, TitledAndUntitled) {
  const Table t{{"A"}, {{"1"}}};
  EXPECT_EQ(section("", t, kPlain), "\n  A\n  1\n");
  EXPECT_EQ(section("Disks", t, kPlain), "\n  Disks:\n  A\n  1\n");
}

ResultRow row(std::string host, std::string status, std::optional<bool> changed = std::nullopt,
              std::string error = "", std::vector<std::string> cells = {}) {
  return ResultRow{std::move(host), std::move(status), changed, std::move(error), std::move(cells)};
}

TEST(StatusCell, SkipErrChangedOk) {
  EXPECT_EQ(status_cell(outcome_of(row("h", "skipped", std::nullopt, "not supported"))), "skip");
  EXPECT_EQ(status_cell(outcome_of(row("h", "failed"))), "err");
  EXPECT_EQ(status_cell(outcome_of(row("h", "ok", false, "an error without failed"))), "err");
  EXPECT_EQ(status_cell(outcome_of(row("h", "ok", true))), "changed");
  EXPECT_EQ(status_cell(outcome_of(row("h", "ok", false))), "ok");
  EXPECT_EQ(status_cell(outcome_of(row("h", "ok"))), "ok");
  EXPECT_EQ(status_cell(outcome_of(row("h", ""))), "ok");  // older bodies carry no status
}

TEST(SummaryLine, OnlyNonZeroPartsInFixedOrder) {
  EXPECT_EQ(summary_line({row("a", "ok"), row("b", "failed", std::nullopt, "x"),
                          row("c", "ok", true), row("d", "skipped", std::nullopt, "y")}),
            "4 hosts: 1 ok, 1 changed, 1 skipped, 1 failed");
  EXPECT_EQ(summary_line({row("a", "ok"), row("b", "ok")}), "2 hosts: 2 ok");
  EXPECT_EQ(summary_line({row("a", "ok", true)}), "1 host: 1 changed");
  EXPECT_EQ(summary_line({}), "0 hosts");
}

TEST(SummaryLine, EachHostCountsOnceWithItsWorstOutcome) {
  EXPECT_EQ(summary_line({row("a", "ok"), row("a", "ok", true), row("b", "ok"),
                          row("b", "failed", std::nullopt, "disk gone"), row("b", "ok")}),
            "2 hosts: 1 changed, 1 failed");
}

TEST(RenderResults, TableSummaryAndDetails) {
  const std::string out =
      render_results("", {"EXIT", "STDOUT"},
                     {row("web-01", "ok", true, "", {"0", "hello"}),
                      row("web-02", "failed", std::nullopt, "job failed: no sh"),
                      row("mac", "skipped", std::nullopt, "operation not supported")},
                     kPlain);
  EXPECT_EQ(out,
            "\n"
            "  HOSTNAME  STATUS   EXIT  STDOUT\n"
            "  web-01    changed  0     hello\n"
            "  web-02    err\n"
            "  mac       skip\n"
            "\n"
            "  3 hosts: 1 changed, 1 skipped, 1 failed\n"
            "\n"
            "  Details:\n"
            "    web-02  job failed: no sh\n"
            "    mac     operation not supported\n");
}

TEST(RenderResults, NoDetailsWithoutErrorsAndATitleWhenGiven) {
  const std::string out =
      render_results("Ping Response", {"AVG"}, {row("h", "ok", std::nullopt, "", {"1ms"})}, kPlain);
  EXPECT_EQ(out,
            "\n"
            "  Ping Response:\n"
            "  HOSTNAME  STATUS  AVG\n"
            "  h         ok      1ms\n"
            "\n"
            "  1 host: 1 ok\n");
}

TEST(RenderResults, OneDetailLinePerHostAndError) {
  const std::string out = render_results(
      "", {}, {row("h", "failed", std::nullopt, "x"), row("h", "failed", std::nullopt, "x")},
      kPlain);
  EXPECT_EQ(out.find("    h  x\n"), out.rfind("    h  x\n")) << out;
}

TEST(PrefixedLines, OneHostPrefixPerLineAndNoEmptyLastLine) {
  EXPECT_EQ(prefixed_lines("web-01", "a\nb\n", kPlain), "[web-01] a\n[web-01] b\n");
  EXPECT_EQ(prefixed_lines("web-01", "no newline", kPlain), "[web-01] no newline\n");
  EXPECT_EQ(prefixed_lines("web-01", "", kPlain), "");
  EXPECT_EQ(prefixed_lines("h", "a\n\nb", kPlain), "[h] a\n[h] \n[h] b\n");
}

TEST(Formats, Bytes) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KB");
  EXPECT_EQ(format_bytes(10LL * 1024 * 1024), "10.0 MB");
  EXPECT_EQ(format_bytes(8LL * 1024 * 1024 * 1024), "8.0 GB");
}

TEST(Formats, Age) {
  using std::chrono::seconds;
  EXPECT_EQ(format_age(seconds(0)), "");
  EXPECT_EQ(format_age(seconds(-5)), "");
  EXPECT_EQ(format_age(seconds(30)), "30s");
  EXPECT_EQ(format_age(seconds(7 * 60 + 3)), "7m");
  EXPECT_EQ(format_age(seconds(2 * 3600 + 5 * 60)), "2h 5m");
  EXPECT_EQ(format_age(seconds(3 * 86400 + 4 * 3600 + 59)), "3d 4h");
}

TEST(Formats, PercentFixedAndList) {
  EXPECT_EQ(format_percent(40, 100), "40%");
  EXPECT_EQ(format_percent(1, 3), "33%");
  EXPECT_EQ(format_percent(1, 0), "");
  EXPECT_EQ(format_fixed(0.5, 2), "0.50");
  EXPECT_EQ(format_list({}), "None");
  EXPECT_EQ(format_list({"1.1.1.1", "8.8.8.8"}), "1.1.1.1, 8.8.8.8");
}

TEST(UrlEncode, PathSegmentsKeepLabelsReadableAndEncodeTheRest) {
  EXPECT_EQ(url_encode("_all"), "_all");
  EXPECT_EQ(url_encode("group:web.dev"), "group:web.dev");
  EXPECT_EQ(url_encode("a/b c?d#e%"), "a%2Fb%20c%3Fd%23e%25");
}

}  // namespace
}  // namespace osapi::cli
