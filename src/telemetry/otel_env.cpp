// OTEL_* environment variables over the osapi tracing config (precedence in otel_env.h).
#include "telemetry/otel_env.h"

#include <cstdlib>

#include "common/strings.h"

namespace osapi::telemetry {

namespace {

// The variable's value, or nullptr when unset or blank (blank counts as unset, per the spec).
const std::string* lookup(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  if (it == env.end() || trim(it->second).empty()) return nullptr;
  return &it->second;
}

// The matching OSAPI_* variable is set, so it wins over the OTEL_* one.
bool osapi_set(const std::map<std::string, std::string>& env, const char* key) {
  return env.count(std::string("OSAPI_TELEMETRY_TRACING_") + key) != 0;
}

Status bad(const char* var, const std::string& value, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument,
                    std::string(var) + ": " + why + " (got \"" + value + "\")");
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_otel_headers(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const auto& raw : split(text, ',')) {
    const std::string entry = trim(raw);
    if (entry.empty()) continue;
    const size_t eq = entry.find('=');
    const std::string key = eq == std::string::npos ? "" : to_lower(trim(entry.substr(0, eq)));
    std::string value;
    if (key.empty() || !percent_decode(trim(entry.substr(eq + 1)), value))
      return make_error(ErrorCode::kInvalidArgument,
                        "OTEL_EXPORTER_OTLP_HEADERS: malformed entry (expected key=value)");
    out[key] = value;
  }
  return out;
}

Status apply_otel_env(const std::map<std::string, std::string>& env, config::Tracing& t,
                      std::string& service_name) {
  if (const auto* v = lookup(env, "OTEL_SERVICE_NAME")) service_name = trim(*v);

  if (const auto* v = lookup(env, "OTEL_TRACES_EXPORTER"); v && !osapi_set(env, "EXPORTER")) {
    const std::string e = to_lower(trim(*v));
    if (e == "otlp")
      t.exporter = "otlp";
    else if (e == "console")
      t.exporter = "stdout";
    else if (e == "none")
      t.exporter = "none";
    else
      return bad("OTEL_TRACES_EXPORTER", *v, "supported: otlp, console, none");
  }

  if (const auto* v = lookup(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
      v && !osapi_set(env, "OTLP_ENDPOINT"))
    t.otlp_endpoint = trim(*v);

  if (const auto* v = lookup(env, "OTEL_EXPORTER_OTLP_PROTOCOL");
      v && !osapi_set(env, "OTLP_PROTOCOL")) {
    const std::string p = trim(*v);
    if (p != "grpc" && p != "http/protobuf")
      return bad("OTEL_EXPORTER_OTLP_PROTOCOL", *v, "supported: grpc, http/protobuf");
    t.otlp_protocol = p;
  }

  if (const auto* v = lookup(env, "OTEL_EXPORTER_OTLP_HEADERS");
      v && !osapi_set(env, "OTLP_HEADERS")) {
    auto headers = parse_otel_headers(*v);
    if (!headers) return headers.error();
    for (auto& [k, val] : *headers) {
      // A YAML key differing only in case is the same header: the env value replaces it.
      std::erase_if(t.otlp_headers, [&](const auto& kv) { return iequals(kv.first, k); });
      t.otlp_headers[k] = std::move(val);
    }
  }

  if (const auto* v = lookup(env, "OTEL_TRACES_SAMPLER"); v && !osapi_set(env, "SAMPLER")) {
    std::string s = to_lower(trim(*v));
    // osapi always wraps the sampler parent-based, so both spellings mean the same.
    if (s.starts_with("parentbased_")) s = s.substr(12);
    if (s != "always_on" && s != "always_off" && s != "traceidratio")
      return bad("OTEL_TRACES_SAMPLER", *v,
                 "supported: [parentbased_]always_on, always_off, traceidratio");
    t.sampler = s;
  }

  if (const auto* v = lookup(env, "OTEL_TRACES_SAMPLER_ARG");
      v && !osapi_set(env, "SAMPLER_RATIO") && t.sampler == "traceidratio") {
    const std::string text = trim(*v);
    char* end = nullptr;
    const double ratio = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(ratio >= 0.0 && ratio <= 1.0))
      return bad("OTEL_TRACES_SAMPLER_ARG", *v, "expected a ratio between 0 and 1");
    t.sampler_ratio = ratio;
  }
  return Status::Ok();
}

}  // namespace osapi::telemetry
