// Job record encode (to_json().dump()) and decode (JobRecord::parse) beside their floor: bare
// nlohmann::ordered_json dump/parse of the same document.
#include <benchmark/benchmark.h>

#include "job/model.h"

namespace osapi::bench {
namespace {

job::JobRecord sample_record() {
  job::JobRecord r;
  r.id = "2f0c6d0e-8a43-4b55-9f0e-2c9d1f7e6a10";
  r.created = "2025-01-02T03:04:05Z";
  r.subject = "osapi.jobs.query._any";
  r.operation = job::json{{"type", "query"},
                          {"category", "node"},
                          {"operation", "hostname.get"},
                          {"data", job::json::object()}};
  r.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  return r;
}

void BM_JobRecordEncode_Ours(benchmark::State& state) {
  const job::JobRecord r = sample_record();
  for (auto _ : state) {
    std::string text = r.to_json().dump();
    benchmark::DoNotOptimize(text);
  }
}

void BM_JobRecordEncode_JsonFloor(benchmark::State& state) {
  const job::json doc = sample_record().to_json();
  for (auto _ : state) {
    std::string text = doc.dump();
    benchmark::DoNotOptimize(text);
  }
}

void BM_JobRecordDecode_Ours(benchmark::State& state) {
  const std::string text = sample_record().to_json().dump();
  for (auto _ : state) {
    auto r = job::JobRecord::parse(text);
    if (!r.ok()) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

void BM_JobRecordDecode_JsonFloor(benchmark::State& state) {
  const std::string text = sample_record().to_json().dump();
  for (auto _ : state) {
    auto j = job::json::parse(text, nullptr, false);
    benchmark::DoNotOptimize(j);
  }
}

void BM_JobResponseDecode_Ours(benchmark::State& state) {
  const std::string text =
      R"({"job_id":"2f0c6d0e-8a43-4b55-9f0e-2c9d1f7e6a10","status":"completed",)"
      R"("data":{"hostname":"myhost","labels":{"group":"web"}},"hostname":"myhost",)"
      R"("timestamp":"2025-01-02T03:04:05.123456789Z"})";
  for (auto _ : state) {
    auto r = job::JobResponse::parse(text, 1735787045123456789LL);
    benchmark::DoNotOptimize(r);
  }
}

}  // namespace

BENCHMARK(BM_JobRecordEncode_Ours);
BENCHMARK(BM_JobRecordEncode_JsonFloor);
BENCHMARK(BM_JobRecordDecode_Ours);
BENCHMARK(BM_JobRecordDecode_JsonFloor);
BENCHMARK(BM_JobResponseDecode_Ours);

}  // namespace osapi::bench
