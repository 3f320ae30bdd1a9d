// Job queries over the key space of the jobs bucket: one key listing is
// grouped by job id, and each job's status is derived from its event keys alone
// (status.<id>.<event>.<host>.<unix_nano>), so listing, filtering and paging need no value
// reads; only the jobs on the requested page are fetched afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace osapi::job {

// Every status a job can have, in display order.
const std::vector<std::string>& job_statuses();
// The statuses GET /api/job filters by (a job may also be "skipped").
bool is_listable_status(std::string_view status);

// One job's keys.
struct JobKeys {
  std::string id;
  bool has_record = false;             // jobs.<id> exists
  int64_t submitted_unix_nano = 0;     // from the submitted event key (0 when absent)
  std::vector<std::string> events;     // status.<id>.… keys
  std::vector<std::string> responses;  // responses.<id>.… keys
};

// One key of the jobs bucket, split: jobs.<id> | status.<id>.<event>.<host>.<unix_nano> |
// responses.<id>.<host>.<unix_nano>. kind "" for a key of any other shape.
struct JobKey {
  std::string_view kind;  // "jobs" | "status" | "responses" | ""
  std::string_view id;
  std::string_view event;  // status keys
  std::string_view host;   // status and responses keys
  int64_t unix_nano = 0;   // status keys
};
JobKey parse_job_key(std::string_view key);

// Groups a bucket's keys by job id (keys of other shapes are ignored).
std::map<std::string, JobKeys> group_job_keys(const std::vector<std::string>& keys);

// Overall status from event keys, with the rules of compute_status.
std::string status_from_event_keys(const std::vector<std::string>& event_keys);

// A job placed in list order: `created` is the RFC 3339 second the job was created.
struct ListEntry {
  std::string id;
  std::string created;
  std::string status;
};

// Newest first by `created`, then by id (descending), so the order is total and stable.
void sort_newest_first(std::vector<ListEntry>& entries);

// Entries [offset, offset+limit) of an ordered list; limit 0 = all the rest.
std::vector<ListEntry> page_of(const std::vector<ListEntry>& ordered, int64_t limit,
                               int64_t offset);

}  // namespace osapi::job
