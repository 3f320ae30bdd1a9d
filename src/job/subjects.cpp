#include "job/subjects.h"

#include "common/strings.h"

namespace osapi::job {

std::string Target::routing_token() const {
  switch (kind) {
    case TargetKind::kAny:
      return "_any";
    case TargetKind::kAll:
      return "_all";
    case TargetKind::kHost:
      return "host";
    case TargetKind::kLabel:
      return "label";
  }
  return "_any";
}

Result<Target> parse_target(std::string_view text) {
  Target t;
  t.raw = std::string(text);
  if (text == "_any") return t;
  if (text == "_all") {
    t.kind = TargetKind::kAll;
    return t;
  }
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && colon != 0 && colon != text.size() - 1) {
    t.kind = TargetKind::kLabel;
    t.label_key = std::string(text.substr(0, colon));
    t.label_value = std::string(text.substr(colon + 1));
    bool ok = is_label_token(t.label_key);
    for (const auto& seg : split(t.label_value, '.')) ok = ok && is_label_token(seg);
    if (!ok) return Error(ErrorCode::kInvalidArgument, "invalid label target \"" + t.raw + "\"");
    return t;
  }
  if (text.empty()) return Error(ErrorCode::kInvalidArgument, "empty target");
  t.kind = TargetKind::kHost;
  return t;
}

bool label_matches(const std::map<std::string, std::string>& labels, const std::string& key,
                   const std::string& value) {
  auto it = labels.find(key);
  if (it == labels.end()) return false;
  const std::string& v = it->second;
  return v == value || (v.size() > value.size() && v.compare(0, value.size(), value) == 0 &&
                        v[value.size()] == '.');
}

OpKind kind_for_type(std::string_view type) {
  for (std::string_view suf : {".get", ".query", ".read", ".status", ".do"}) {
    if (type.size() >= suf.size() && type.substr(type.size() - suf.size()) == suf)
      return OpKind::kQuery;
  }
  if (type.substr(0, 5) == "node.") return OpKind::kQuery;
  return OpKind::kModify;
}

const char* kind_name(OpKind kind) {
  return kind == OpKind::kQuery ? "query" : "modify";
}

Names Names::from(const config::Config& cfg, const std::string& ns) {
  Names n;
  n.ns = ns;
  n.stream = config::ns_name(ns, cfg.nats.stream.name);
  n.stream_subjects = config::ns_subject(ns, cfg.nats.stream.subjects);
  n.dlq = n.stream + "-DLQ";
  n.jobs_bucket = config::ns_name(ns, cfg.nats.kv.bucket);
  // An empty name disables the object: it stays "" instead of becoming "<ns>-".
  auto bucket = [&](const std::string& name) {
    return name.empty() ? std::string() : config::ns_name(ns, name);
  };
  n.registry_bucket = bucket(cfg.nats.registry.bucket);
  n.facts_bucket = bucket(cfg.nats.facts.bucket);
  n.objects_bucket = bucket(cfg.nats.objects.bucket);
  n.state_bucket = bucket(cfg.nats.state.bucket);
  n.file_state_bucket = bucket(cfg.nats.file_state.bucket);
  n.enrollment_bucket = bucket(cfg.nats.enrollment.bucket);
  n.audit_stream = bucket(cfg.nats.audit.stream);
  if (!n.audit_stream.empty()) n.audit_subject = config::ns_subject(ns, cfg.nats.audit.subject);
  n.query_prefix = config::ns_subject(ns, "jobs.query");
  n.modify_prefix = config::ns_subject(ns, "jobs.modify");
  return n;
}

std::string subject_for(const Names& names, OpKind kind, const Target& target) {
  const std::string& p = names.prefix(kind);
  switch (target.kind) {
    case TargetKind::kAny:
      return p + "._any";
    case TargetKind::kAll:
      return p + "._all";
    case TargetKind::kHost:
      return p + ".host." +
             sanitize_subject_token(target.machine_id.empty() ? target.raw : target.machine_id);
    case TargetKind::kLabel:
      return p + ".label." + target.label_key + "." + target.label_value;
  }
  return p + "._any";
}

Result<ParsedSubject> parse_subject(std::string_view subject, std::string_view ns) {
  auto bad = [&] {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid job subject \"" + std::string(subject) + "\"");
  };
  std::string_view s = subject;
  if (!ns.empty()) {
    if (s.size() <= ns.size() + 1 || s.substr(0, ns.size()) != ns || s[ns.size()] != '.')
      return bad();
    s.remove_prefix(ns.size() + 1);
  }
  const auto parts = split(s, '.');
  if (parts.size() < 3 || parts[0] != "jobs") return bad();
  ParsedSubject out;
  if (parts[1] == "query")
    out.kind = OpKind::kQuery;
  else if (parts[1] == "modify")
    out.kind = OpKind::kModify;
  else
    return bad();
  if (parts.size() == 3 && parts[2] == "_any") {
    out.target.kind = TargetKind::kAny;
    out.target.raw = "_any";
  } else if (parts.size() == 3 && parts[2] == "_all") {
    out.target.kind = TargetKind::kAll;
    out.target.raw = "_all";
  } else if (parts.size() == 4 && parts[2] == "host") {
    out.target.kind = TargetKind::kHost;
    out.target.raw = parts[3];
  } else if (parts.size() >= 5 && parts[2] == "label") {
    out.target.kind = TargetKind::kLabel;
    out.target.label_key = parts[3];
    std::vector<std::string> rest(parts.begin() + 4, parts.end());
    out.target.label_value = join(rest, ".");
    out.target.raw = out.target.label_key + ":" + out.target.label_value;
  } else {
    return bad();
  }
  return out;
}

}  // namespace osapi::job
