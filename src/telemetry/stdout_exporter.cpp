#include "telemetry/stdout_exporter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <opentelemetry/sdk/trace/span_data.h>

namespace osapi::telemetry {

namespace {

namespace sdktrace = opentelemetry::sdk::trace;
namespace otrace = opentelemetry::trace;
using opentelemetry::sdk::common::ExportResult;
using opentelemetry::sdk::common::OwnedAttributeValue;
using json = nlohmann::ordered_json;
using AttrMap = std::unordered_map<std::string, OwnedAttributeValue>;

std::string base64(const std::vector<uint8_t>& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8 | in[i + 2];
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(kAlphabet[v >> 6 & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i < in.size()) {
    uint32_t v = uint32_t{in[i]} << 16;
    if (i + 1 < in.size()) v |= uint32_t{in[i + 1]} << 8;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[v >> 6 & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// Protobuf JSON mapping: non-finite doubles are the strings "NaN", "Infinity", "-Infinity".
json double_value(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

template <typename T>
json scalar_any_value(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return json{{"boolValue", v}};
  } else if constexpr (std::is_same_v<T, double>) {
    return json{{"doubleValue", double_value(v)}};
  } else if constexpr (std::is_same_v<T, std::string>) {
    return json{{"stringValue", v}};
  } else {
    return json{{"intValue", std::to_string(v)}};
  }
}

json any_value(const OwnedAttributeValue& value) {
  return opentelemetry::nostd::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
          return json{{"bytesValue", base64(v)}};
        } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
          json values = json::array();
          for (bool b : v) values.push_back(scalar_any_value(b));
          return json{{"arrayValue", json{{"values", std::move(values)}}}};
        } else if constexpr (requires { v.begin(); } && !std::is_same_v<T, std::string>) {
          json values = json::array();
          for (const auto& e : v) values.push_back(scalar_any_value(e));
          return json{{"arrayValue", json{{"values", std::move(values)}}}};
        } else {
          return scalar_any_value(v);
        }
      },
      value);
}

// Keys sorted so the output is deterministic (the SDK keeps attributes in an unordered_map).
json attributes(const AttrMap& attrs) {
  std::vector<const AttrMap::value_type*> sorted;
  sorted.reserve(attrs.size());
  for (const auto& kv : attrs) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  json out = json::array();
  for (const auto* kv : sorted)
    out.push_back(json{{"key", kv->first}, {"value", any_value(kv->second)}});
  return out;
}

std::string hex_trace_id(const otrace::TraceId& id) {
  char buf[32];
  id.ToLowerBase16(opentelemetry::nostd::span<char, 32>(buf, 32));
  return std::string(buf, 32);
}

std::string hex_span_id(const otrace::SpanId& id) {
  char buf[16];
  id.ToLowerBase16(opentelemetry::nostd::span<char, 16>(buf, 16));
  return std::string(buf, 16);
}

std::string unix_nanos(opentelemetry::common::SystemTimestamp ts) {
  return std::to_string(ts.time_since_epoch().count());
}

// OTLP SpanKind: UNSPECIFIED=0, INTERNAL=1, SERVER=2, CLIENT=3, PRODUCER=4, CONSUMER=5.
int otlp_kind(otrace::SpanKind kind) {
  switch (kind) {
    case otrace::SpanKind::kInternal:
      return 1;
    case otrace::SpanKind::kServer:
      return 2;
    case otrace::SpanKind::kClient:
      return 3;
    case otrace::SpanKind::kProducer:
      return 4;
    case otrace::SpanKind::kConsumer:
      return 5;
  }
  return 0;
}

json span_json(const sdktrace::SpanData& s) {
  json j;
  j["traceId"] = hex_trace_id(s.GetTraceId());
  j["spanId"] = hex_span_id(s.GetSpanId());
  const auto& state = s.GetSpanContext().trace_state();
  if (state && !state->Empty()) j["traceState"] = state->ToHeader();
  if (s.GetParentSpanId().IsValid()) j["parentSpanId"] = hex_span_id(s.GetParentSpanId());
  j["name"] = std::string(s.GetName());
  j["kind"] = otlp_kind(s.GetSpanKind());
  const auto start = s.GetStartTime().time_since_epoch().count();
  j["startTimeUnixNano"] = std::to_string(start);
  j["endTimeUnixNano"] = std::to_string(start + s.GetDuration().count());
  j["attributes"] = attributes(s.GetAttributes());
  json events = json::array();
  for (const auto& e : s.GetEvents()) {
    events.push_back(json{{"timeUnixNano", unix_nanos(e.GetTimestamp())},
                          {"name", e.GetName()},
                          {"attributes", attributes(e.GetAttributes())}});
  }
  j["events"] = std::move(events);
  json links = json::array();
  for (const auto& l : s.GetLinks()) {
    const auto& sc = l.GetSpanContext();
    json link{{"traceId", hex_trace_id(sc.trace_id())}, {"spanId", hex_span_id(sc.span_id())}};
    if (sc.trace_state() && !sc.trace_state()->Empty())
      link["traceState"] = sc.trace_state()->ToHeader();
    link["attributes"] = attributes(l.GetAttributes());
    links.push_back(std::move(link));
  }
  j["links"] = std::move(links);
  json status{{"code", static_cast<int>(s.GetStatus())}};  // UNSET=0, OK=1, ERROR=2 as OTLP
  if (!s.GetDescription().empty()) status["message"] = std::string(s.GetDescription());
  j["status"] = std::move(status);
  return j;
}

}  // namespace

std::unique_ptr<sdktrace::Recordable> StdoutJsonExporter::MakeRecordable() noexcept {
  return std::unique_ptr<sdktrace::Recordable>(new (std::nothrow) sdktrace::SpanData());
}

std::string StdoutJsonExporter::to_json(
    const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) {
  // Group by resource, then scope, keeping first-seen order. Both are pointers owned by the
  // provider, stable for the life of the batch.
  struct ScopeGroup {
    const sdktrace::InstrumentationScope* scope;
    std::vector<const sdktrace::SpanData*> spans;
  };
  struct ResourceGroup {
    const opentelemetry::sdk::resource::Resource* resource;
    std::vector<ScopeGroup> scopes;
  };
  std::vector<ResourceGroup> groups;
  for (const auto& rec : spans) {
    const auto* s = dynamic_cast<const sdktrace::SpanData*>(rec.get());
    if (s == nullptr) continue;
    const auto* res = &s->GetResource();
    const auto* scope = &s->GetInstrumentationScope();
    auto rg = std::find_if(groups.begin(), groups.end(),
                           [&](const ResourceGroup& g) { return g.resource == res; });
    if (rg == groups.end()) rg = groups.insert(groups.end(), ResourceGroup{res, {}});
    auto sg = std::find_if(rg->scopes.begin(), rg->scopes.end(),
                           [&](const ScopeGroup& g) { return g.scope == scope; });
    if (sg == rg->scopes.end()) sg = rg->scopes.insert(rg->scopes.end(), ScopeGroup{scope, {}});
    sg->spans.push_back(s);
  }
  if (groups.empty()) return "";

  json resource_spans = json::array();
  for (const auto& rg : groups) {
    json scope_spans = json::array();
    for (const auto& sg : rg.scopes) {
      json scope{{"name", sg.scope->GetName()}};
      if (!sg.scope->GetVersion().empty()) scope["version"] = sg.scope->GetVersion();
      if (!sg.scope->GetAttributes().empty())
        scope["attributes"] = attributes(sg.scope->GetAttributes());
      json list = json::array();
      for (const auto* s : sg.spans) list.push_back(span_json(*s));
      json entry{{"scope", std::move(scope)}, {"spans", std::move(list)}};
      if (!sg.scope->GetSchemaURL().empty()) entry["schemaUrl"] = sg.scope->GetSchemaURL();
      scope_spans.push_back(std::move(entry));
    }
    json entry{{"resource", json{{"attributes", attributes(rg.resource->GetAttributes())}}},
               {"scopeSpans", std::move(scope_spans)}};
    if (!rg.resource->GetSchemaURL().empty()) entry["schemaUrl"] = rg.resource->GetSchemaURL();
    resource_spans.push_back(std::move(entry));
  }
  json root{{"resourceSpans", std::move(resource_spans)}};
  // Invalid UTF-8 in attribute values is replaced rather than thrown on.
  return root.dump(-1, ' ', false, json::error_handler_t::replace);
}

ExportResult StdoutJsonExporter::Export(
    const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept {
  if (shutdown_.load(std::memory_order_acquire)) return ExportResult::kFailure;
  if (spans.empty()) return ExportResult::kSuccess;
  try {
    std::string line = to_json(spans);
    if (line.empty()) return ExportResult::kSuccess;
    line.push_back('\n');
    std::lock_guard<std::mutex> lk(mu_);
    if (out_ == nullptr) return ExportResult::kFailure;
    const size_t written = std::fwrite(line.data(), 1, line.size(), out_);
    const bool flushed = std::fflush(out_) == 0;
    return written == line.size() && flushed ? ExportResult::kSuccess : ExportResult::kFailure;
  } catch (...) {
    return ExportResult::kFailure;
  }
}

bool StdoutJsonExporter::ForceFlush(std::chrono::microseconds) noexcept {
  std::lock_guard<std::mutex> lk(mu_);
  return out_ == nullptr || std::fflush(out_) == 0;
}

bool StdoutJsonExporter::Shutdown(std::chrono::microseconds timeout) noexcept {
  const bool ok = ForceFlush(timeout);
  shutdown_.store(true, std::memory_order_release);
  return ok;
}

}  // namespace osapi::telemetry
