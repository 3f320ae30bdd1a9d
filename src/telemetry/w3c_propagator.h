// The SDK's global text-map propagator: W3C traceparent/tracestate through the same strict
// parser and formatter our own HTTP and NATS carriers use.
#pragma once

namespace osapi::telemetry {

void install_w3c_propagator();

}  // namespace osapi::telemetry
