// client agent list | get | status: the agent registry as the controller sees it. An agent is
// named by --hostname here, not by the -T target of `client node`.
#include <chrono>

#include "cli/api_call.h"
#include "cli/client_health.h"
#include "cli/client_views.h"
#include "cli/command_env.h"
#include "common/strings.h"

namespace osapi::cli {

namespace {

// "Ready", or "Ready (Draining)" when the agent's state is not the usual one.
std::string status_and_state(const Json& a) {
  const std::string status = str(a, "status"), state = str(a, "state");
  return state.empty() || state == "Ready" ? status : status + " (" + state + ")";
}

// The condition types whose status is true, "-" when none.
std::string active_conditions(const Json& a) {
  std::vector<std::string> active;
  for (const auto& c : array(a, "conditions"))
    if (boolean(c, "status").value_or(false)) active.push_back(str(c, "type"));
  return active.empty() ? "-" : join(active, ", ");
}

std::string os_text(const Json& a) {
  const Json os = object(a, "os_info");
  return trim(str(os, "distribution") + " " + str(os, "version"));
}

std::string load_text(const Json& a) {
  const Json l = object(a, "load_average");
  if (l.empty()) return "";
  auto f = [&l](const char* k) {
    const auto v = number(l, k);
    return v ? format_fixed(*v, 2) : "N/A";
  };
  return f("1min") + ", " + f("5min") + ", " + f("15min") + " (1m, 5m, 15m)";
}

std::string memory_text(const Json& a) {
  const Json m = object(a, "memory");
  if (m.empty()) return "";
  std::vector<std::string> parts;
  for (const char* k : {"total", "used", "free"})
    if (const auto v = integer(m, k)) parts.push_back(format_bytes(*v) + " " + k);
  return join(parts, ", ");
}

}  // namespace

std::string view_agent_list(const Json& body, const Style& style, TimePoint now) {
  const Json agents = array(body, "agents");
  if (agents.empty()) return "No active agents found.\n";
  Table t{{"MACHINE ID", "HOSTNAME", "STATUS", "CONDITIONS", "LABELS", "AGE", "LOAD (1m)", "OS"},
          {}};
  for (const auto& a : agents) {
    const auto one = number(object(a, "load_average"), "1min");
    t.rows.push_back({str(a, "machine_id"), str(a, "hostname"), status_and_state(a),
                      active_conditions(a), labels_text(object(a, "labels")),
                      age_since(str(a, "started_at"), now), one ? format_fixed(*one, 2) : "",
                      os_text(a)});
  }
  return section("", t, style);
}

std::string view_agent_pending(const Json& body, const Style& style, TimePoint now) {
  const Json agents = array(body, "agents");
  if (agents.empty()) return "No pending agents found.\n";
  Table t{{"MACHINE ID", "HOSTNAME", "FINGERPRINT", "REQUESTED"}, {}};
  for (const auto& a : agents) {
    const std::string age = age_since(str(a, "requested_at"), now);
    t.rows.push_back({str(a, "machine_id"), str(a, "hostname"), str(a, "fingerprint"),
                      age.empty() ? str(a, "requested_at") : age + " ago"});
  }
  return section("", t, style);
}

std::string view_agent_get(const Json& a, const Style& style, TimePoint now) {
  std::string out =
      "\n" + kv_line({{"Hostname", str(a, "hostname")}, {"Status", str(a, "status")}}, style);
  auto line = [&out, &style](const std::string& label, const std::string& value) {
    if (!value.empty()) out += kv_line({{label, value}}, style);
  };
  line("State", str(a, "state"));
  line("Labels", labels_text(object(a, "labels")));
  line("OS", os_text(a));
  line("Uptime", str(a, "uptime"));
  line("Age", age_since(str(a, "started_at"), now));
  const std::string seen = age_since(str(a, "registered_at"), now);
  line("Last Seen", seen.empty() ? "" : seen + " ago");
  line("Arch", str(a, "architecture"));
  line("Kernel", str(a, "kernel_version"));
  if (const auto cpus = integer(a, "cpu_count"); cpus && *cpus > 0)
    line("CPUs", std::to_string(*cpus));
  line("FQDN", str(a, "fqdn"));
  line("Load", load_text(a));
  line("Memory", memory_text(a));
  line("Service Mgr", str(a, "service_mgr"));
  line("Package Mgr", str(a, "package_mgr"));
  line("Primary Iface", str(a, "primary_interface"));
  for (const auto& i : array(a, "interfaces")) {
    std::vector<std::string> parts;
    for (const char* k : {"ipv4", "ipv6", "mac"})
      if (const std::string v = str(i, k); !v.empty()) parts.push_back(v);
    line("Interface " + str(i, "name"), join(parts, "  "));
  }

  Table routes{{"DESTINATION", "GATEWAY", "INTERFACE", "MASK", "METRIC"}, {}};
  for (const auto& r : array(a, "routes")) {
    const auto metric = integer(r, "metric");
    routes.rows.push_back({str(r, "destination"), str(r, "gateway"), str(r, "interface"),
                           str(r, "mask"), metric ? std::to_string(*metric) : ""});
  }
  if (!routes.rows.empty()) out += section("Routes", routes, style);
  Table conditions{{"TYPE", "STATUS", "REASON", "SINCE"}, {}};
  for (const auto& c : array(a, "conditions")) {
    const auto status = boolean(c, "status");
    conditions.rows.push_back({str(c, "type"), status ? (*status ? "true" : "false") : "",
                               str(c, "reason"), age_since(str(c, "last_transition_time"), now)});
  }
  if (!conditions.rows.empty()) out += section("Conditions", conditions, style);
  Table timeline{{"TIMESTAMP", "EVENT", "HOSTNAME", "MESSAGE", "ERROR"}, {}};
  for (const auto& e : array(a, "timeline"))
    timeline.rows.push_back({str(e, "timestamp"), str(e, "event"), str(e, "hostname"),
                             str(e, "message"), str(e, "error")});
  if (!timeline.rows.empty()) out += section("Timeline", timeline, style);
  return out;
}

void add_agent_commands(CommandEnv& env) {
  CLI::App* agent = add_group(env.client, "agent", "the registered agents");
  const auto kind = config::Command::kClientAuthenticated;

  auto& pending = env.hold<bool>(false);
  CLI::App* list = env.add_leaf(agent, "list", "registered agents", kind, [&pending](Context& ctx) {
    const auto now = std::chrono::system_clock::now();
    if (pending) {
      show(ctx, call_ok(ctx, "GET", "/api/agent/pending", true),
           [now](const Json& b, const Style& s) { return view_agent_pending(b, s, now); });
    } else {
      show(ctx, call_ok(ctx, "GET", "/api/agent", true),
           [now](const Json& b, const Style& s) { return view_agent_list(b, s, now); });
    }
    return 0;
  });
  list->add_flag("--pending", pending, "agents waiting for enrollment");

  auto& hostname = env.hold<std::string>();
  CLI::App* get =
      env.add_leaf(agent, "get", "one agent in detail", kind, [&hostname](Context& ctx) {
        const auto now = std::chrono::system_clock::now();
        show(ctx, call_ok(ctx, "GET", "/api/agent/" + url_encode(hostname), true),
             [now](const Json& b, const Style& s) { return view_agent_get(b, s, now); });
        return 0;
      });
  get->add_option("--hostname", hostname, "the agent's hostname")->required();

  env.add_leaf(agent, "status", "health of the registered agents", kind, [](Context& ctx) {
    return show_health_status(
        ctx, [](const Json& b, const Style& s) { return view_component_table(b, "agent", s); });
  });
}

}  // namespace osapi::cli
