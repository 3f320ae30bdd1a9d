// Job routing: targets, subjects and the namespaced names of every NATS object.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"

namespace osapi::job {

enum class TargetKind { kAny, kAll, kHost, kLabel };
enum class OpKind { kQuery, kModify };

struct Target {
  TargetKind kind = TargetKind::kAny;
  std::string raw;          // as given: "_any", "web-01", "group:web.dev"
  std::string label_key;    // kLabel
  std::string label_value;  // kLabel
  // kHost: the agent's machine id, resolved from a hostname by the controller before
  // publishing; the direct subject is addressed by it ("" → raw is used as is).
  std::string machine_id;

  bool broadcast() const { return kind == TargetKind::kAll || kind == TargetKind::kLabel; }
  // Routing token for span attributes: _any, _all, host, label.
  std::string routing_token() const;
};

// _any / _all / key:value (split at the first ':' that is neither first nor last) / hostname.
// Label key and each dot segment of the value must match ^[A-Za-z0-9_-]+$.
Result<Target> parse_target(std::string_view text);

// True when the agent's labels satisfy a label target: value equal or a dotted prefix.
bool label_matches(const std::map<std::string, std::string>& labels, const std::string& key,
                   const std::string& value);

// Kind for a free-form operation type (POST /job).
OpKind kind_for_type(std::string_view type);
const char* kind_name(OpKind kind);  // "query" | "modify"

// Namespaced names of one deployment.
struct Names {
  std::string ns;
  std::string stream;           // <ns>-JOBS
  std::string stream_subjects;  // <ns>.jobs.>
  std::string dlq;              // <ns>-JOBS-DLQ
  std::string jobs_bucket;      // <ns>-job-queue
  std::string registry_bucket;  // <ns>-agent-registry ("" when disabled)
  std::string objects_bucket;   // <ns>-file-objects: object store, stream OBJ_<bucket>
  std::string query_prefix;     // <ns>.jobs.query
  std::string modify_prefix;    // <ns>.jobs.modify

  // "" when the configured name is empty (the object is disabled).
  std::string facts_bucket;       // <ns>-agent-facts
  std::string state_bucket;       // <ns>-agent-state
  std::string file_state_bucket;  // <ns>-file-state
  std::string enrollment_bucket;  // <ns>-agent-enrollment
  std::string audit_stream;       // <ns>-AUDIT
  std::string audit_subject;      // <ns>.audit: entry <id> is published on <audit_subject>.<id>

  static Names from(const config::Config& cfg, const std::string& ns);
  const std::string& prefix(OpKind kind) const {
    return kind == OpKind::kQuery ? query_prefix : modify_prefix;
  }
};

std::string subject_for(const Names& names, OpKind kind, const Target& target);

// Parses "<prefix>.{query|modify}.{_any|_all|host.H|label.K.V…}" after stripping "<ns>.".
struct ParsedSubject {
  OpKind kind = OpKind::kQuery;
  Target target;
};
Result<ParsedSubject> parse_subject(std::string_view subject, std::string_view ns = "");

}  // namespace osapi::job
