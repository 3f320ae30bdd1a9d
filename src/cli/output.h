// Human output for client commands (spec/cli.md §5): KV lines, sections, box tables.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace osapi::cli {

struct Style {
  bool color = false;  // stdout is a TTY and NO_COLOR is unset
  int width = 120;     // terminal width, else COLUMNS, else 120
  static Style detect();
};

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// "  Label: value        Label: value" (every pair but the last padded, spec/cli.md §5).
std::string kv_line(const std::vector<std::pair<std::string, std::string>>& pairs,
                    const Style& style);
std::string render_table(const Table& table, const Style& style);
// A blank line, "  <Title>:" when titled, then the table.
std::string section(const std::string& title, const Table& table, const Style& style);

struct BroadcastRow {
  std::string hostname;
  std::string error;
  std::optional<bool> changed;
  std::vector<std::string> cells;  // the command's own columns
};
// HOSTNAME, [STATUS, ERROR] when some row failed, [CHANGED] when some row has the flag, then
// the command's columns.
Table broadcast_table(const std::vector<std::string>& columns,
                      const std::vector<BroadcastRow>& rows);

// Visible width of a UTF-8 string (code points; no ANSI escapes expected).
size_t visible_width(const std::string& s);

}  // namespace osapi::cli
