// HTTP load for the macro benchmark: libcurl keep-alive clients for the closed loop, and wrk.
#pragma once

#include <string>
#include <vector>

#include "load.h"

namespace osapi::bench {

// Each worker thread gets its own curl easy handle (one kept-alive connection, TCP_NODELAY);
// a request counts as successful on HTTP 200.
OpFactory curl_get(const std::string& url, const std::vector<std::string>& headers);
// The same, each thread going round `urls` in turn (mixed load).
OpFactory curl_get_cycle(const std::vector<std::string>& urls,
                         const std::vector<std::string>& headers);

struct WrkResult {
  double rps = 0;
  double p50_ms = 0, p99_ms = 0;
  long requests = 0, non_2xx = 0, socket_errors = 0;
  std::string error;  // set when wrk could not run or its output was not understood
  // CPU per request while wrk ran (set by the macro driver): the API server process, and the
  // driver process itself (the in-process OTLP sink when it receives exports).
  double api_cpu_us_per_req = 0, driver_cpu_us_per_req = 0;
};

// `wrk -t<threads> -c<connections> -d<seconds>s --latency` with the headers.
WrkResult run_wrk(const std::string& url, const std::vector<std::string>& headers, int threads,
                  int connections, int seconds);

}  // namespace osapi::bench
