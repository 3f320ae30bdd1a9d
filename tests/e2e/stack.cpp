#include "stack.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace osapi::testing {

Stack::Stack(StackOptions options) : opts_(std::move(options)) {
  nats_port_ = free_port();
  api_port_ = free_port();
  while (api_port_ == nats_port_) api_port_ = free_port();
  controller_metrics_port_ = free_port();
  while (controller_metrics_port_ == nats_port_ || controller_metrics_port_ == api_port_)
    controller_metrics_port_ = free_port();
  key_ = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  config_ = dir_.file("osapi.yaml");
  write_config("");
  write_config(token("admin"));
}

Stack::~Stack() {
  stop_all();
}

void Stack::write_config(const std::string& bearer) {
  const std::string np = std::to_string(nats_port_);
  // Every metrics server on its own free port, so stacks can run side by side. NATS and
  // agents bind port 0 themselves: a port picked here could be handed out twice before
  // anything binds it (the NATS metrics port once equalled the NATS port).
  auto metrics = [](int port) { return "{host: 127.0.0.1, port: " + std::to_string(port) + "}"; };
  std::ostringstream y;
  y << "controller:\n"
    << "  client:\n    url: " << api_url() << "\n    security:\n      bearer_token: \"" << bearer
    << "\"\n"
    << "  api:\n    port: " << api_port_ << "\n"
    << "    security:\n      signing_key: " << key_ << "\n"
    << "  nats: {host: 127.0.0.1, port: " << np << ", namespace: osapi}\n"
    << "  metrics: " << metrics(controller_metrics_port_) << "\n"
    << "  audit: {spool_dir: " << spool_dir() << "}\n"
    << "nats:\n  server: {host: 127.0.0.1, port: " << np << ", store_dir: " << dir_.file("js")
    << ", namespace: osapi, metrics: " << metrics(0) << "}\n"
    << "telemetry:\n  tracing: {enabled: " << (opts_.tracing ? "true" : "false") << ", exporter: \""
    << opts_.exporter << "\", batch: {schedule_delay: 200ms}}\n"
    << "agent:\n  nats: {host: 127.0.0.1, port: " << np << ", namespace: osapi}\n"
    << "  metrics: " << metrics(0) << "\n"
    << opts_.extra_yaml << "\n";
  dir_.write("osapi.yaml", y.str());
}

std::string Stack::token(const std::string& roles) {
  auto r = osapi({"-j", "token", "generate", "-r", roles, "-u", "e2e@test"});
  if (r.code != 0) throw std::runtime_error("token generate failed: " + r.err);
  auto j = nlohmann::json::parse(r.out);
  return j["token"].get<std::string>();
}

RunResult Stack::osapi(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env,
                       const std::string& stdin_data) {
  std::vector<std::string> argv{OSAPI_BINARY, "-f", config_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, env, stdin_data);
}

RunResult Stack::curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"curl", "-sS", "--max-time", "60"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

void Stack::start_nats() {
  nats_ = std::make_unique<Process>(
      std::vector<std::string>{OSAPI_BINARY, "-f", config_, "nats", "server", "start"},
      opts_.nats_env, dir_.path());
  if (!nats_->wait_output("embedded NATS server running", std::chrono::seconds(20)))
    throw std::runtime_error("nats did not start: " + nats_->err());
}

void Stack::start_api() {
  api_ = std::make_unique<Process>(
      std::vector<std::string>{OSAPI_BINARY, "-f", config_, "controller", "start"}, opts_.api_env,
      dir_.path());
  if (!api_->wait_output("controller started", std::chrono::seconds(20)))
    throw std::runtime_error("controller did not start: " + api_->err());
}

void Stack::start_agent(const std::map<std::string, std::string>& env) {
  // Agents are identified by machine id: every agent of a stack gets its own, or two agents
  // on this one machine would share one registry entry.
  std::map<std::string, std::string> agent_env = env;
  if (!agent_env.count("OSAPI_AGENT_MACHINE_ID_FILE")) {
    char id[33];
    std::snprintf(id, sizeof id, "%032zx", agents_.size() + 1 + 0xe2e000);
    const std::string name = "machine-id-" + std::to_string(agents_.size());
    dir_.write(name, std::string(id) + "\n");
    agent_env["OSAPI_AGENT_MACHINE_ID_FILE"] = dir_.file(name);
  }
  // Several agents share the config file: each binds a free metrics port.
  if (!agent_env.count("OSAPI_AGENT_METRICS_PORT")) agent_env["OSAPI_AGENT_METRICS_PORT"] = "0";
  agents_.push_back(std::make_unique<Process>(
      std::vector<std::string>{OSAPI_BINARY, "-f", config_, "agent", "start"}, agent_env,
      dir_.path()));
  if (!agents_.back()->wait_output("agent started successfully", std::chrono::seconds(20)))
    throw std::runtime_error("agent did not start: " + agents_.back()->err());
}

void Stack::start_all() {
  start_nats();
  start_api();
  for (const auto& env : opts_.agents) start_agent(env);
}

void Stack::stop_all() {
  for (auto it = agents_.rbegin(); it != agents_.rend(); ++it) (*it)->stop();
  if (api_) api_->stop();
  if (nats_) nats_->stop();
}

std::vector<SpanRecord> parse_spans(const std::string& text) {
  std::vector<SpanRecord> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("{\"resourceSpans\"", 0) != 0) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    for (const auto& rs : j["resourceSpans"]) {
      std::string service;
      for (const auto& a : rs["resource"]["attributes"])
        if (a["key"] == "service.name") service = a["value"]["stringValue"].get<std::string>();
      for (const auto& ss : rs["scopeSpans"]) {
        for (const auto& s : ss["spans"]) {
          SpanRecord r;
          r.trace_id = s.value("traceId", "");
          r.span_id = s.value("spanId", "");
          r.parent_span_id = s.value("parentSpanId", "");
          r.name = s.value("name", "");
          r.kind = s.value("kind", 0);
          r.service = service;
          if (s.contains("attributes")) {
            for (const auto& a : s["attributes"]) {
              const auto& v = a["value"];
              std::string text;
              if (v.contains("stringValue"))
                text = v["stringValue"].get<std::string>();
              else if (v.contains("intValue"))
                text = v["intValue"].get<std::string>();
              else
                text = v.dump();
              r.attributes[a["key"].get<std::string>()] = text;
            }
          }
          out.push_back(std::move(r));
        }
      }
    }
  }
  return out;
}

}  // namespace osapi::testing
