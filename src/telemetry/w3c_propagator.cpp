#include "telemetry/w3c_propagator.h"

#include <string>
#include <string_view>

#include <opentelemetry/context/propagation/global_propagator.h>
#include <opentelemetry/context/propagation/text_map_propagator.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/default_span.h>

#include "telemetry/propagation.h"

namespace osapi::telemetry {

namespace otel = opentelemetry;

namespace {

class W3CPropagator final : public otel::context::propagation::TextMapPropagator {
 public:
  otel::context::Context Extract(const otel::context::propagation::TextMapCarrier& carrier,
                                 otel::context::Context& context) noexcept override {
    const auto tp = carrier.Get("traceparent");
    const auto ts = carrier.Get("tracestate");
    auto sc = parse_traceparent(std::string_view(tp.data(), tp.size()),
                                std::string_view(ts.data(), ts.size()));
    if (!sc) return context;
    otel::nostd::shared_ptr<otel::trace::Span> span(new otel::trace::DefaultSpan(*sc));
    return otel::trace::SetSpan(context, span);
  }

  void Inject(otel::context::propagation::TextMapCarrier& carrier,
              const otel::context::Context& context) noexcept override {
    const auto sc = otel::trace::GetSpan(context)->GetContext();
    if (!sc.IsValid()) return;
    carrier.Set("traceparent", format_traceparent(sc));
    const std::string ts = format_tracestate(sc);
    if (!ts.empty()) carrier.Set("tracestate", ts);
  }

  bool Fields(
      otel::nostd::function_ref<bool(otel::nostd::string_view)> callback) const noexcept override {
    return callback("traceparent") && callback("tracestate");
  }
};

}  // namespace

void install_w3c_propagator() {
  otel::context::propagation::GlobalTextMapPropagator::SetGlobalPropagator(
      otel::nostd::shared_ptr<otel::context::propagation::TextMapPropagator>(new W3CPropagator()));
}

}  // namespace osapi::telemetry
