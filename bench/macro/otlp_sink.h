// A tiny OTLP/gRPC receiver for the export benchmark: accepts every call on any method (the
// exporter calls TraceService/Export), counts it and answers an empty message, which is a
// valid ExportTraceServiceResponse. Generic service: no generated protobuf code needed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace osapi::bench {

class OtlpSink {
 public:
  OtlpSink();  // listens on 127.0.0.1:<free port>
  ~OtlpSink();
  OtlpSink(const OtlpSink&) = delete;
  OtlpSink& operator=(const OtlpSink&) = delete;

  int port() const { return port_; }
  uint64_t exports() const { return exports_->load(); }
  uint64_t bytes() const { return bytes_->load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::shared_ptr<std::atomic<uint64_t>> exports_, bytes_;
};

}  // namespace osapi::bench
