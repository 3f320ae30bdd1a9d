// Job records, status events and responses as stored in the jobs KV bucket.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/time.h"

namespace osapi::job {

using json = nlohmann::ordered_json;

// jobs.<uuid>: written once, never updated.
struct JobRecord {
  std::string id;
  std::string created;  // RFC 3339, seconds
  std::string subject;
  json operation = json::object();
  std::string traceparent;  // W3C context of the publishing span ("" when tracing is off)
  std::string tracestate;

  json to_json() const;
  static Result<JobRecord> parse(const std::string& text);
  std::string type() const;  // operation.type or ""
};

// status.<id>.<event>.<host>.<unix_nano>
struct StatusEvent {
  std::string job_id;
  std::string event;  // submitted | acknowledged | started | completed | failed | retried
  std::string hostname;
  int64_t unix_nano = 0;
  json data = json::object();

  std::string key() const;
  json to_json() const;
  static Result<StatusEvent> parse(const std::string& text);
};

// responses.<id>.<host>.<unix_nano>
struct JobResponse {
  std::string job_id;
  std::string status;  // completed | failed
  json data;           // null when absent
  std::string error;
  std::optional<bool> changed;  // modify jobs only
  std::string hostname;
  int64_t unix_nano = 0;

  std::string key() const;
  json to_json() const;
  static Result<JobResponse> parse(const std::string& text, int64_t key_unix_nano = 0);
};

std::string job_key(const std::string& id);
// Notification header: the KV revision the controller's put of job_key(id) got, so the agent
// can read exactly that write from the stream leader if a plain get does not find it yet.
inline constexpr const char* kJobRevisionHeader = "Osapi-Job-Revision";
std::string status_prefix(const std::string& id);     // "status.<id>."
std::string responses_prefix(const std::string& id);  // "responses.<id>."
std::string runs_prefix(const std::string& id);       // "runs.<id>."
// runs.<id>.<scope>: written by an agent just before it runs a job, so a redelivery knows the
// job started without a wildcard read. `scope` is "_any" for jobs sent to any agent, else the
// host's key token (sanitize_kv_token of its hostname). Its value: {hostname, machine_id,
// unix_nano}. Read by exact key, which nats-server answers from its per-subject index, where
// "the newest status.<id>.started.*" walks every subject the bucket holds.
std::string run_marker_key(const std::string& id, const std::string& scope);
struct RunMarker {
  std::string hostname;
  std::string machine_id;
  int64_t unix_nano = 0;  // when the agent started the job
};
std::string run_marker_value(const std::string& hostname, const std::string& machine_id,
                             int64_t unix_nano);
// Anyone who can write the bucket can write a marker: a field missing or of the wrong type is
// left empty (0), never an exception.
RunMarker parse_run_marker(const std::string& value);
// Trailing unix_nano of an event/response key; 0 when unparsable.
int64_t key_unix_nano(const std::string& key);

}  // namespace osapi::job
