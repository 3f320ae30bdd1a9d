#include "telemetry/sdk_log.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <opentelemetry/sdk/common/global_log_handler.h>

#include "logging/logger.h"

namespace osapi::telemetry {

namespace otel = opentelemetry;

namespace {

namespace internal_log = otel::sdk::common::internal_log;

std::atomic<uint64_t> g_dropped_total{0};
std::atomic<uint64_t> g_dropped_unreported{0};
std::atomic<int64_t> g_last_drop_report_ns{0};  // steady clock; 0 = never reported
constexpr std::chrono::seconds kDropReportInterval{60};

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void report_drops(bool force) {
  if (g_dropped_unreported.load(std::memory_order_relaxed) == 0) return;
  const int64_t now = steady_ns();
  int64_t last = g_last_drop_report_ns.load(std::memory_order_relaxed);
  if (!force && last != 0 && now - last < std::chrono::nanoseconds(kDropReportInterval).count())
    return;
  if (!g_last_drop_report_ns.compare_exchange_strong(last, now)) return;  // another thread won
  const uint64_t n = g_dropped_unreported.exchange(0);
  if (n == 0) return;
  logging::warn("tracing spans dropped (batch queue full)",
                {{"dropped", static_cast<unsigned long long>(n)},
                 {"total", static_cast<unsigned long long>(g_dropped_total.load())}});
}

bool is_drop_message(std::string_view m) {
  return m.find("dropping span") != std::string_view::npos ||
         m.find("queue is full") != std::string_view::npos;
}

class SdkLogHandler final : public internal_log::LogHandler {
 public:
  void Handle(internal_log::LogLevel level, const char* /*file*/, int /*line*/, const char* msg,
              const otel::sdk::common::AttributeMap& /*attributes*/) noexcept override {
    try {
      const std::string_view m = msg != nullptr ? msg : "";
      if (is_drop_message(m)) {
        g_dropped_total.fetch_add(1, std::memory_order_relaxed);
        g_dropped_unreported.fetch_add(1, std::memory_order_relaxed);
        report_drops(false);
        return;
      }
      logging::Level lvl = logging::Level::kDebug;
      if (level == internal_log::LogLevel::Error) lvl = logging::Level::kError;
      if (level == internal_log::LogLevel::Warning) lvl = logging::Level::kWarn;
      if (!logging::enabled(lvl)) return;
      if (lvl >= logging::Level::kWarn && suppressed(m)) return;
      logging::log(lvl, "opentelemetry sdk", {{"message", m}});
    } catch (...) {
    }
  }

 private:
  // Repeats of a recent warning/error (e.g. "export failed" every batch while the collector is
  // down) are logged at most once a minute. Every export failure shares one key: the HTTP
  // exporter reports one failure in two messages (client, then exporter).
  bool suppressed(std::string_view m) {
    const int64_t now = steady_ns();
    const bool export_failure =
        m.find("Export") != std::string_view::npos &&
        (m.find("failed") != std::string_view::npos || m.find("error") != std::string_view::npos ||
         m.find("ERROR") != std::string_view::npos);
    const std::string key =
        export_failure ? std::string("export failure") : std::string(m.substr(0, 96));
    std::lock_guard<std::mutex> lk(mu_);
    for (auto& [k, t] : recent_) {
      if (k != key) continue;
      if (now - t < std::chrono::nanoseconds(kDropReportInterval).count()) return true;
      t = now;
      return false;
    }
    if (recent_.size() >= 32) recent_.erase(recent_.begin());
    recent_.emplace_back(key, now);
    return false;
  }

  std::mutex mu_;
  std::vector<std::pair<std::string, int64_t>> recent_;
};

}  // namespace

void install_sdk_log_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    internal_log::GlobalLogHandler::SetLogHandler(
        otel::nostd::shared_ptr<internal_log::LogHandler>(new SdkLogHandler()));
  });
  internal_log::GlobalLogHandler::SetLogLevel(logging::enabled(logging::Level::kDebug)
                                                  ? internal_log::LogLevel::Debug
                                                  : internal_log::LogLevel::Warning);
}

void report_dropped_spans(bool force) {
  report_drops(force);
}

uint64_t dropped_spans_total() {
  return g_dropped_total.load(std::memory_order_relaxed);
}

}  // namespace osapi::telemetry
