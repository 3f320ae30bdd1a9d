// Assertions over a whole exported trace: CLI root → CLI client → API server → publish →
// agent job.process, with service names and semantic-convention attributes.
#pragma once

#include <string>
#include <vector>

#include "receiver.h"

namespace osapi::testing {

// True once every span of the chain for `trace_id` has arrived (for OtlpReceiver::wait_for).
bool has_full_chain(const std::vector<ReceivedSpan>& spans, const std::string& trace_id);

// gtest expectations on the chain of `trace_id` (`protocol`: grpc | http, how it arrived).
void expect_full_chain(const std::vector<ReceivedSpan>& spans, const std::string& trace_id,
                       const std::string& protocol);

// Telemetry YAML appended to the e2e stack config (a second `telemetry:` block; the loader
// applies both). `more` is extra lines under `tracing:`, each indented by four spaces.
std::string otlp_yaml(const std::string& endpoint, const std::string& more = "");

}  // namespace osapi::testing
