// The SDK's internal log, routed into our logger: repeats of one warning are logged at most
// once a minute, and "queue full" drops are counted and reported as one summary line.
#pragma once

#include <cstdint>

namespace osapi::telemetry {

// Installs the handler once; the SDK level follows our logger (debug, else warning).
void install_sdk_log_handler();
// Logs the drops not yet reported: at most once a minute, or now when `force`.
void report_dropped_spans(bool force);
uint64_t dropped_spans_total();

}  // namespace osapi::telemetry
