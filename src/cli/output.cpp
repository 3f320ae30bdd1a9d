#include "cli/output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "common/strings.h"

namespace osapi::cli {

namespace {
constexpr const char* kPurple = "\x1b[1;35m";
constexpr const char* kTeal = "\x1b[36m";
constexpr const char* kReset = "\x1b[0m";

std::string pad_right(const std::string& s, size_t width) {
  const size_t w = visible_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string repeat(const char* s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Cuts a string to at most `width` visible characters.
std::string cut(const std::string& s, size_t width) {
  std::string out;
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    if (w + 1 > width) break;
    out.append(s, i, len);
    i += len;
    ++w;
  }
  return out;
}
}  // namespace

Style Style::detect() {
  Style s;
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  s.color = tty && std::getenv("NO_COLOR") == nullptr;
  winsize ws{};
  if (tty && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    s.width = ws.ws_col;
  } else if (const char* cols = std::getenv("COLUMNS")) {
    long long v = 0;
    if (parse_int64(cols, v) && v > 0 && v < 10000) s.width = static_cast<int>(v);
  }
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
    std::string shown =
        style.color ? std::string(kPurple) + k + ":" + kReset + " " + kTeal + v + kReset : plain;
    out += shown;
    if (i + 1 < pairs.size() && visible_width(plain) < col)
      out += std::string(col - visible_width(plain), ' ');
  }
  return out + "\n";
}

std::string render_table(const Table& t, const Style& style) {
  const size_t n = t.headers.size();
  std::vector<size_t> w(n, 0);
  for (size_t c = 0; c < n; ++c) {
    w[c] = visible_width(t.headers[c]) + 2;
    for (const auto& r : t.rows)
      if (c < r.size())
        for (const auto& line : split(r[c], '\n')) w[c] = std::max(w[c], visible_width(line) + 2);
  }
  // Shrink proportionally (min 8) when wider than the terminal − 4.
  size_t total = n + 1;
  for (auto x : w) total += x;
  const size_t avail = style.width > 8 ? static_cast<size_t>(style.width) - 4 : 76;
  if (total > avail && n > 0) {
    const double ratio =
        static_cast<double>(avail - (n + 1)) / static_cast<double>(total - (n + 1));
    for (auto& x : w) x = std::max<size_t>(8, static_cast<size_t>(static_cast<double>(x) * ratio));
  }
  auto border = [&](const char* l, const char* m, const char* r) {
    std::string s = "  ";
    s += l;
    for (size_t c = 0; c < n; ++c) {
      s += repeat("━", w[c]);
      s += c + 1 < n ? m : r;
    }
    return s + "\n";
  };
  auto cell = [&](const std::string& text, size_t width, bool centre) {
    std::string v = cut(text, width - 1);
    if (centre) {
      const size_t vw = visible_width(v);
      const size_t left = (width - vw) / 2;
      return std::string(left, ' ') + v + std::string(width - vw - left, ' ');
    }
    return pad_right(" " + v, width);
  };
  std::string out = border("┏", "┳", "┓");
  out += "  ┃";
  for (size_t c = 0; c < n; ++c) out += cell(t.headers[c], w[c], true) + "┃";
  out += "\n";
  out += border("┣", "╋", "┫");
  for (const auto& r : t.rows) {
    // Multi-line cells produce several physical lines.
    std::vector<std::vector<std::string>> lines(n);
    size_t height = 1;
    for (size_t c = 0; c < n; ++c) {
      lines[c] = split(c < r.size() ? r[c] : "", '\n');
      height = std::max(height, lines[c].size());
    }
    for (size_t h = 0; h < height; ++h) {
      out += "  ┃";
      for (size_t c = 0; c < n; ++c)
        out += cell(h < lines[c].size() ? lines[c][h] : "", w[c], false) + "┃";
      out += "\n";
    }
  }
  out += border("┗", "┻", "┛");
  (void)style;
  return out;
}

std::string section(const std::string& title, const Table& table, const Style& style) {
  std::string out = "\n";
  if (!title.empty()) out += "  " + title + ":\n";
  return out + render_table(table, style);
}

Table broadcast_table(const std::vector<std::string>& columns,
                      const std::vector<BroadcastRow>& rows) {
  const bool any_error =
      std::any_of(rows.begin(), rows.end(), [](const BroadcastRow& r) { return !r.error.empty(); });
  const bool any_changed = std::any_of(rows.begin(), rows.end(),
                                       [](const BroadcastRow& r) { return r.changed.has_value(); });
  Table t;
  t.headers.push_back("HOSTNAME");
  if (any_error) {
    t.headers.push_back("STATUS");
    t.headers.push_back("ERROR");
  }
  if (any_changed) t.headers.push_back("CHANGED");
  for (const auto& c : columns) t.headers.push_back(c);
  for (const auto& r : rows) {
    std::vector<std::string> row{r.hostname};
    if (any_error) {
      row.push_back(r.error.empty() ? "ok" : "failed");
      row.push_back(r.error);
    }
    if (any_changed) row.push_back(r.changed ? (*r.changed ? "true" : "false") : "");
    for (const auto& c : r.cells) row.push_back(c);
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace osapi::cli
