// Status computation on read: status is never stored; it is derived from the
// append-only events and the responses of a job.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "job/model.h"

namespace osapi::job {

struct AgentState {
  std::string status;  // type of the host's latest event
  std::string error;
  std::string duration;  // Go duration, first started → last completed/failed
};

struct TimelineEntry {
  int64_t unix_nano = 0;
  std::string event;
  std::string hostname;
  std::string message;
  std::string error;
};

struct JobView {
  JobRecord record;
  std::string status;  // submitted | processing | completed | failed | partial_failure | skipped
  std::string error;
  std::string hostname;    // last agent that completed or failed
  std::string updated_at;  // RFC 3339 nano of the latest event ("" when none)
  json result;             // data of the single response (null when not exactly one host)
  // The single response's changed; with several, true when any reported a change.
  std::optional<bool> changed;
  std::map<std::string, JobResponse> responses;  // latest per raw hostname
  std::map<std::string, AgentState> agent_states;
  std::vector<TimelineEntry> timeline;
};

JobView compute_status(JobRecord record, std::vector<StatusEvent> events,
                       std::vector<JobResponse> responses);

// GET /job/{id} body.
json to_detail_json(const JobView& view);
// GET /job list item: no responses, agent_states, timeline.
json to_list_item_json(const JobView& view);

}  // namespace osapi::job
