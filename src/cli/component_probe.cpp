#include "cli/component_probe.h"

#include "logging/logger.h"

namespace osapi::cli {

Result<std::unique_ptr<http::ProbeServer>> start_component_probe(const config::MetricsServer& m,
                                                                 ComponentProbe probe) {
  if (!m.enabled) return std::unique_ptr<http::ProbeServer>();
  auto shared = std::make_shared<ComponentProbe>(std::move(probe));
  http::ProbeHandlers h;
  h.not_ready = [shared] { return shared->not_ready(); };
  h.metrics = [shared] {
    api::Exposition out;
    out.family("osapi_component_up", "gauge", "1 when the component is ready, else 0.");
    out.sample("osapi_component_up", {{"component", shared->component}},
               shared->not_ready() ? 0 : 1);
    api::render_process_metrics(out);
    if (shared->extra) shared->extra(out);
    return out.text();
  };
  auto server = std::make_unique<http::ProbeServer>(m.host, m.port, std::move(h));
  if (auto st = server->start(); !st.ok()) return st.error();
  logging::info("metrics server started", {{"component", shared->component},
                                           {"host", m.host},
                                           {"port", static_cast<int>(server->port())}});
  return server;
}

}  // namespace osapi::cli
