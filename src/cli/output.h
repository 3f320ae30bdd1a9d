// Human output of the client commands: key/value lines, compact tables, per-host result tables
// with their summary and error details, raw command output, and the value formats they share.
// Every function returns text; nothing here writes to a stream, so the views are unit-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace osapi::cli {

struct Style {
  bool color = false;  // stdout is a TTY and NO_COLOR is unset
  static Style detect();
};

// Widest a table column gets; longer cells end in "…".
inline constexpr size_t kMaxColumnWidth = 79;

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// "  Label: value        Label: value": every pair but the last padded to
// max(20, widest pair) + 4 columns, so consecutive lines line up.
std::string kv_line(const std::vector<std::pair<std::string, std::string>>& pairs,
                    const Style& style);

// Header row (upper-cased) and one line per row, each indented two spaces. Columns are as wide
// as their widest cell (at most kMaxColumnWidth) plus a two-space gap; whitespace inside a cell
// collapses to single spaces, so a multi-line value stays on its row.
std::string render_table(const Table& table, const Style& style);

// A blank line (or a blank line and "  <title>:"), then the table.
std::string section(const std::string& title, const Table& table, const Style& style);

// One host's answer in a node-scoped result list.
struct ResultRow {
  std::string hostname;
  std::string status;  // the item's status: ok | failed | skipped
  std::optional<bool> changed;
  std::string error;
  std::vector<std::string> cells;  // the command's own columns
};

enum class Outcome { kOk, kChanged, kSkipped, kFailed };  // ordered from best to worst

// skipped → kSkipped; failed or carrying an error → kFailed; changed → kChanged; else kOk.
Outcome outcome_of(const ResultRow& row);
// The STATUS cell: "ok", "changed", "skip" or "err".
std::string status_cell(Outcome outcome);

// "3 hosts: 1 ok, 1 changed, 1 failed" ("1 host: 1 ok"): only the non-zero parts, each host
// counted once with its worst outcome (a host may fill several rows, one per disk for instance).
std::string summary_line(const std::vector<ResultRow>& rows);

// The per-host table: HOSTNAME, STATUS, then `columns`; a blank line and the summary line; and,
// when some row carries an error, a "Details:" block with one "<hostname>  <error>" line each.
std::string render_results(const std::string& title, const std::vector<std::string>& columns,
                           const std::vector<ResultRow>& rows, const Style& style);

// "[<hostname>] <line>\n" for every line of `text` (a final newline adds no empty line).
std::string prefixed_lines(const std::string& hostname, const std::string& text,
                           const Style& style);

// Values.
std::string format_bytes(int64_t bytes);                // "512 B", "1.5 KB", "3.0 GB"
std::string format_age(std::chrono::seconds age);       // "3d 4h", "2h 5m", "7m", "30s"; "" ≤ 0
std::string format_percent(double part, double whole);  // "42%"; "" when whole ≤ 0
std::string format_fixed(double value, int decimals);   // "%.<decimals>f"
std::string format_list(const std::vector<std::string>& items);  // "a, b"; "None" when empty

// Visible width of a UTF-8 string (code points; no ANSI escapes expected).
size_t visible_width(const std::string& s);

}  // namespace osapi::cli
