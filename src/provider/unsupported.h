// The "this host cannot do that at all" outcome. A provider returns it when the operation is not
// implemented for the OS family or the host lacks the system tool it needs (hostnamectl in a
// container, resolvectl without systemd-resolved). The agent answers such a job `skipped`, not
// `failed`, and never redelivers it.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace osapi::provider {

inline constexpr std::string_view kUnsupportedMessage = "operation not supported on this OS family";

// kUnavailable with "operation not supported on this OS family: <detail>" (detail optional), so
// logs keep the concrete reason while callers can still recognise the outcome.
Error unsupported_error(const std::string& detail = "");

// True for an error made by unsupported_error, before any wrap() added context in front.
bool is_unsupported(const Error& error);

}  // namespace osapi::provider
