#include "cli/output.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "common/strings.h"

namespace osapi::cli {

namespace {
constexpr const char* kPurple = "\x1b[1;35m";  // labels and headers
constexpr const char* kTeal = "\x1b[36m";      // values and even rows
constexpr const char* kWhite = "\x1b[37m";     // odd rows
constexpr const char* kDim = "\x1b[2m";        // host prefixes of raw output
constexpr const char* kReset = "\x1b[0m";

std::string paint(const std::string& s, const char* colour, const Style& style) {
  return style.color ? std::string(colour) + s + kReset : s;
}

std::string pad_right(const std::string& s, size_t width) {
  const size_t w = visible_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

// The first `width` code points of s.
std::string cut(const std::string& s, size_t width) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (points == width) return s.substr(0, i);
    ++points;
  }
  return s;
}

// Runs of whitespace (newlines included) become one space; leading/trailing ones go.
std::string collapse_whitespace(const std::string& s) {
  std::string out;
  bool gap = false;
  for (unsigned char c : s) {
    if (std::isspace(c)) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += static_cast<char>(c);
  }
  return out;
}

std::string fit(const std::string& cell, size_t width) {
  if (visible_width(cell) <= width) return cell;
  return cut(cell, width > 0 ? width - 1 : 0) + "…";
}

// One table line: cells padded to their column plus the gap, the last non-empty one unpadded
// (so no line ends in spaces).
std::string table_line(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
                       const char* colour, const Style& style) {
  size_t last = 0;
  for (size_t i = 0; i < cells.size(); ++i)
    if (!cells[i].empty()) last = i;
  std::string line = "  ";
  for (size_t i = 0; i <= last && i < cells.size(); ++i) {
    const std::string text = i == last ? cells[i] : pad_right(cells[i], widths[i] + 2);
    line += paint(text, colour, style);
  }
  return line + "\n";
}
}  // namespace

Style Style::detect() {
  Style s;
  s.color = ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  return s;
}

size_t visible_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string kv_line(const std::vector<std::pair<std::string, std::string>>& pairs,
                    const Style& style) {
  size_t widest = 0;
  for (const auto& [k, v] : pairs) widest = std::max(widest, visible_width(k + ": " + v));
  const size_t col = std::max<size_t>(20, widest) + 4;
  std::string out = "  ";
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [k, v] = pairs[i];
    const std::string plain = k + ": " + v;
    out += style.color ? paint(k + ":", kPurple, style) + " " + paint(v, kTeal, style) : plain;
    if (i + 1 < pairs.size()) out += std::string(col - visible_width(plain), ' ');
  }
  return out + "\n";
}

std::string render_table(const Table& t, const Style& style) {
  const size_t n = t.headers.size();
  std::vector<std::string> headers;
  std::vector<size_t> widths;
  for (const auto& h : t.headers) {
    headers.push_back(to_upper(h));
    widths.push_back(visible_width(headers.back()));
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : t.rows) {
    std::vector<std::string> cells(n);
    for (size_t c = 0; c < n && c < r.size(); ++c) {
      cells[c] = collapse_whitespace(r[c]);
      widths[c] = std::max(widths[c], visible_width(cells[c]));
    }
    rows.push_back(std::move(cells));
  }
  for (auto& w : widths) w = std::min(w, kMaxColumnWidth);

  std::string out = table_line(headers, widths, kPurple, style);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t c = 0; c < n; ++c) rows[i][c] = fit(rows[i][c], widths[c]);
    out += table_line(rows[i], widths, i % 2 == 0 ? kTeal : kWhite, style);
  }
  return out;
}

std::string section(const std::string& title, const Table& table, const Style& style) {
  std::string out = "\n";
  if (!title.empty()) out += "  " + paint(title + ":", kPurple, style) + "\n";
  return out + render_table(table, style);
}

Outcome outcome_of(const ResultRow& row) {
  if (row.status == "skipped") return Outcome::kSkipped;
  if (row.status == "failed" || !row.error.empty()) return Outcome::kFailed;
  if (row.changed.value_or(false)) return Outcome::kChanged;
  return Outcome::kOk;
}

std::string status_cell(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kChanged:
      return "changed";
    case Outcome::kSkipped:
      return "skip";
    case Outcome::kFailed:
      return "err";
  }
  return "ok";
}

std::string summary_line(const std::vector<ResultRow>& rows) {
  std::vector<std::string> order;
  std::map<std::string, Outcome> worst;
  for (const auto& r : rows) {
    const Outcome o = outcome_of(r);
    auto [it, inserted] = worst.emplace(r.hostname, o);
    if (inserted)
      order.push_back(r.hostname);
    else if (o > it->second)
      it->second = o;
  }
  size_t counts[4] = {0, 0, 0, 0};
  for (const auto& h : order) ++counts[static_cast<int>(worst[h])];
  static constexpr const char* kNames[4] = {"ok", "changed", "skipped", "failed"};
  std::vector<std::string> parts;
  for (int i = 0; i < 4; ++i)
    if (counts[i] > 0) parts.push_back(std::to_string(counts[i]) + " " + kNames[i]);
  std::string out = std::to_string(order.size()) + (order.size() == 1 ? " host" : " hosts");
  if (!parts.empty()) out += ": " + join(parts, ", ");
  return out;
}

std::string render_results(const std::string& title, const std::vector<std::string>& columns,
                           const std::vector<ResultRow>& rows, const Style& style) {
  Table t;
  t.headers = {"HOSTNAME", "STATUS"};
  t.headers.insert(t.headers.end(), columns.begin(), columns.end());
  std::vector<std::pair<std::string, std::string>> details;
  size_t host_width = 0;
  for (const auto& r : rows) {
    std::vector<std::string> cells{r.hostname, status_cell(outcome_of(r))};
    cells.insert(cells.end(), r.cells.begin(), r.cells.end());
    t.rows.push_back(std::move(cells));
    if (r.error.empty()) continue;
    const std::pair<std::string, std::string> d{r.hostname, collapse_whitespace(r.error)};
    if (std::find(details.begin(), details.end(), d) != details.end()) continue;
    details.push_back(d);
    host_width = std::max(host_width, visible_width(r.hostname));
  }
  std::string out = section(title, t, style);
  out += "\n  " + summary_line(rows) + "\n";
  if (!details.empty()) {
    out += "\n  " + paint("Details:", kPurple, style) + "\n";
    for (const auto& [host, error] : details)
      out += "    " + pad_right(host, host_width) + "  " + error + "\n";
  }
  return out;
}

std::string prefixed_lines(const std::string& hostname, const std::string& text,
                           const Style& style) {
  std::vector<std::string> lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  const std::string prefix = paint("[" + hostname + "]", kDim, style);
  std::string out;
  for (const auto& line : lines) out += prefix + " " + line + "\n";
  return out;
}

std::string format_bytes(int64_t bytes) {
  constexpr double kKiB = 1024.0, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  const double b = static_cast<double>(bytes);
  if (b >= kGiB) return format_fixed(b / kGiB, 1) + " GB";
  if (b >= kMiB) return format_fixed(b / kMiB, 1) + " MB";
  if (b >= kKiB) return format_fixed(b / kKiB, 1) + " KB";
  return std::to_string(bytes) + " B";
}

std::string format_age(std::chrono::seconds age) {
  const long long s = age.count();
  if (s <= 0) return "";
  const long long days = s / 86400, hours = s / 3600 % 24, minutes = s / 60 % 60;
  if (days > 0) return std::to_string(days) + "d " + std::to_string(hours) + "h";
  if (hours > 0) return std::to_string(hours) + "h " + std::to_string(minutes) + "m";
  if (minutes > 0) return std::to_string(minutes) + "m";
  return std::to_string(s) + "s";
}

std::string format_percent(double part, double whole) {
  if (whole <= 0) return "";
  return format_fixed(part / whole * 100.0, 0) + "%";
}

std::string format_fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string format_list(const std::vector<std::string>& items) {
  return items.empty() ? "None" : join(items, ", ");
}

}  // namespace osapi::cli
