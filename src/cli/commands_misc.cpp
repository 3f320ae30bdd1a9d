// client health [ready | status], client metrics, completion bash|zsh (spec/cli.md §1, §11, §17).
#include <cstdio>
#include <set>

#include "cli/api_call.h"
#include "cli/command_env.h"
#include "http/client.h"
#include "http/response.h"

namespace osapi::cli {

using json = nlohmann::ordered_json;

namespace {

std::string number(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number()) return std::to_string(v.get<double>());
  return "N/A";
}

// spec/cli.md §11 rendering of GET /health/status.
std::string render_health_status(const json& doc, const Style& style) {
  std::string out = kv_line({{"Status", str(doc, "status")},
                             {"Version", str(doc, "version")},
                             {"Uptime", str(doc, "uptime")}},
                            style);
  if (doc.contains("nats") && doc["nats"].is_object()) {
    std::string nats = str(doc["nats"], "url");
    if (const auto v = str(doc["nats"], "version"); !v.empty()) nats += " (v" + v + ")";
    out += kv_line({{"NATS", nats}}, style);
  }
  if (doc.contains("jobs") && doc["jobs"].is_object()) {
    const json& j = doc["jobs"];
    auto n = [&j](const char* k) { return j.contains(k) ? number(j[k]) : std::string("N/A"); };
    out += kv_line(
        {{"Jobs", n("total") + " total, " + n("completed") + " completed, " + n("unprocessed") +
                      " unprocessed, " + n("failed") + " failed, " + n("dlq") + " dlq"}},
        style);
  }

  Table components{{"COMPONENT", "STATUS", "ERROR"}, {}};
  if (doc.contains("components") && doc["components"].is_object()) {
    std::map<std::string, json> sorted;
    for (const auto& [name, c] : doc["components"].items()) sorted[name] = c;
    for (const auto& [name, c] : sorted)
      components.rows.push_back({name, str(c, "status"), str(c, "error")});
  }
  out += section("Components", components, style);

  if (doc.contains("streams") && doc["streams"].is_array() && !doc["streams"].empty()) {
    Table t{{"NAME", "MESSAGES", "BYTES", "CONSUMERS"}, {}};
    for (const auto& s : doc["streams"])
      t.rows.push_back({str(s, "name"), number(s.value("messages", json())),
                        number(s.value("bytes", json())), number(s.value("consumers", json()))});
    out += section("Streams", t, style);
  }
  if (doc.contains("kv_buckets") && doc["kv_buckets"].is_array() && !doc["kv_buckets"].empty()) {
    Table t{{"NAME", "KEYS", "BYTES"}, {}};
    for (const auto& b : doc["kv_buckets"])
      t.rows.push_back(
          {str(b, "name"), number(b.value("keys", json())), number(b.value("bytes", json()))});
    out += section("KV Buckets", t, style);
  }
  return out;
}

int client_health_status(Context& ctx) {
  Reply r = call(ctx, "GET", "/health/status", true);
  if ((r.status != 200 && r.status != 503) || !r.doc.is_object()) api_error(ctx, r);
  if (ctx.json)
    print_json_body(r);
  else
    std::fputs(render_health_status(r.doc, ctx.style).c_str(), stdout);
  if (r.status == 503) {
    std::fflush(stdout);
    throw CommandError{"API returned 503 Service Unavailable: " + error_text(r)};
  }
  return 0;
}

// ---- completion scripts, generated from the CLI11 command tree ----

struct Word {
  std::string name;
  std::string description;
};

struct Node {
  std::string path;  // "client node" ("" for the root)
  std::vector<Word> subcommands;
  std::vector<Word> flags;  // own and inherited (group flags work anywhere below)
};

std::vector<Word> own_flags(const CLI::App* app) {
  std::vector<Word> out;
  for (const CLI::Option* opt : app->get_options()) {
    if (!opt->nonpositional()) continue;
    for (const auto& l : opt->get_lnames()) out.push_back({"--" + l, opt->get_description()});
    for (const auto& s : opt->get_snames()) out.push_back({"-" + s, opt->get_description()});
  }
  return out;
}

void collect(const CLI::App* app, const std::string& path, std::vector<Word> inherited,
             std::vector<Node>& out) {
  for (auto& w : own_flags(app)) {
    bool seen = false;
    for (const auto& i : inherited) seen = seen || i.name == w.name;
    if (!seen) inherited.push_back(w);
  }
  Node node;
  node.path = path;
  node.flags = inherited;
  const auto subs = app->get_subcommands([](const CLI::App*) { return true; });
  for (const CLI::App* sub : subs)
    node.subcommands.push_back({sub->get_name(), sub->get_description()});
  out.push_back(node);
  for (const CLI::App* sub : subs)
    collect(sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), inherited, out);
}

std::string single_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string words_of(const std::vector<Word>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w.name;
  return out;
}

std::string bash_script(const std::vector<Node>& nodes) {
  std::string s =
      "# bash completion for osapi (generated by `osapi completion bash`)\n"
      "# Load it with: source <(osapi completion bash)\n"
      "_osapi_subcommands() {\n  case \"$1\" in\n";
  for (const auto& n : nodes)
    if (!n.subcommands.empty())
      s += "    " + single_quoted(n.path) + ") echo " + single_quoted(words_of(n.subcommands)) +
           " ;;\n";
  s += "  esac\n}\n_osapi_flags() {\n  case \"$1\" in\n";
  for (const auto& n : nodes)
    s += "    " + single_quoted(n.path) + ") echo " + single_quoted(words_of(n.flags)) + " ;;\n";
  s += "  esac\n}\n"
       "_osapi() {\n"
       "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" cmdpath=\"\" w i\n"
       "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
       "    w=\"${COMP_WORDS[i]}\"\n"
       "    case \" $(_osapi_subcommands \"$cmdpath\") \" in\n"
       "      *\" $w \"*) cmdpath=\"${cmdpath:+$cmdpath }$w\" ;;\n"
       "    esac\n"
       "  done\n"
       "  local words\n"
       "  if [[ \"$cur\" == -* ]]; then words=\"$(_osapi_flags \"$cmdpath\")\";\n"
       "  else words=\"$(_osapi_subcommands \"$cmdpath\")\"; fi\n"
       "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
       "}\n"
       "complete -F _osapi osapi\n";
  return s;
}

std::string zsh_escape_colon(const std::string& s) {
  std::string out;
  for (char c : s) out += c == ':' ? std::string("\\:") : std::string(1, c);
  return out;
}

std::string zsh_array(const std::vector<Word>& words) {
  std::string out;
  for (const auto& w : words)
    out += " " + single_quoted(zsh_escape_colon(w.name) + ":" + w.description);
  return out;
}

std::string zsh_script(const std::vector<Node>& nodes) {
  std::string s =
      "#compdef osapi\n"
      "# zsh completion for osapi (generated by `osapi completion zsh`)\n"
      "# Save as _osapi in a directory on $fpath, or: source <(osapi completion zsh)\n"
      "_osapi_subcommands() {\n  case \"$1\" in\n";
  for (const auto& n : nodes)
    if (!n.subcommands.empty())
      s += "    " + single_quoted(n.path) + ") reply=(" + zsh_array(n.subcommands) + ") ;;\n";
  s += "    *) reply=() ;;\n  esac\n}\n_osapi_flags() {\n  case \"$1\" in\n";
  for (const auto& n : nodes)
    s += "    " + single_quoted(n.path) + ") reply=(" + zsh_array(n.flags) + ") ;;\n";
  s += "    *) reply=() ;;\n  esac\n}\n"
       "_osapi() {\n"
       "  local cmdpath=\"\" w i\n"
       "  local -a reply names\n"
       "  for ((i = 2; i < CURRENT; i++)); do\n"
       "    w=\"${words[i]}\"\n"
       "    _osapi_subcommands \"$cmdpath\"\n"
       "    names=(${reply%%:*})\n"
       "    if (( ${names[(Ie)$w]} )); then cmdpath=\"${cmdpath:+$cmdpath }$w\"; fi\n"
       "  done\n"
       "  if [[ \"${words[CURRENT]}\" == -* ]]; then\n"
       "    _osapi_flags \"$cmdpath\"\n"
       "    _describe -t flags 'osapi flag' reply\n"
       "  else\n"
       "    _osapi_subcommands \"$cmdpath\"\n"
       "    _describe -t commands 'osapi command' reply\n"
       "  fi\n"
       "}\n"
       "if [[ \"$funcstack[1]\" == _osapi ]]; then _osapi \"$@\"; else compdef _osapi osapi; fi\n";
  return s;
}

}  // namespace

void add_health_commands(CommandEnv& env) {
  auto* health = env.client->add_subcommand("health", "liveness (ready: readiness)");
  health->fallthrough();
  health->callback([&env, health] {
    if (!health->get_subcommands().empty()) return;
    env.client_command("client health", config::Command::kClient,
                       [](Context& c) { return client_health(c, ""); });
  });
  health->add_subcommand("ready", "readiness")->callback([&env] {
    env.client_command("client health ready", config::Command::kClient,
                       [](Context& c) { return client_health(c, "ready"); });
  });
  health->add_subcommand("status", "components, NATS, streams, KV buckets and job counts")
      ->callback([&env] {
        env.client_command("client health status", config::Command::kClientAuthenticated,
                           [](Context& c) { return client_health_status(c); });
      });
}

void add_misc_commands(CommandEnv& env) {
  CLI::App* root = env.client->get_parent();
  auto* completion = root->add_subcommand("completion", "print a shell completion script");
  require_leaf(completion);
  for (const char* shell : {"bash", "zsh", "fish", "powershell"}) {
    const std::string name = shell;
    completion->add_subcommand(name, name + " completion script")->callback([&env, root, name] {
      env.action = [root, name] {
        if (name != "bash" && name != "zsh") {
          std::fprintf(stderr, "Error: completion for %s is not supported\n", name.c_str());
          return 1;
        }
        std::vector<Node> nodes;
        collect(root, "", {}, nodes);
        const std::string script = name == "bash" ? bash_script(nodes) : zsh_script(nodes);
        std::fwrite(script.data(), 1, script.size(), stdout);
        return 0;
      };
    });
  }
}

}  // namespace osapi::cli
