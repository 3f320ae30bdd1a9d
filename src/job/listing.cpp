#include "job/listing.h"

#include <algorithm>

#include "common/strings.h"

namespace osapi::job {

namespace {

// Splits on '.'; job ids (UUIDs), event names and sanitised hosts never contain one.
std::vector<std::string_view> tokens(std::string_view key) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    out.push_back(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

int64_t to_int64(std::string_view s) {
  long long v = 0;
  return parse_int64(s, v) ? v : 0;
}

}  // namespace

const std::vector<std::string>& job_statuses() {
  static const std::vector<std::string> kStatuses = {"submitted", "processing", "completed",
                                                     "failed", "partial_failure"};
  return kStatuses;
}

bool is_listable_status(std::string_view status) {
  const auto& all = job_statuses();
  return std::find(all.begin(), all.end(), status) != all.end();
}

JobKey parse_job_key(std::string_view key) {
  JobKey k;
  const auto t = tokens(key);
  if (t.size() < 2 || t[1].empty()) return k;
  if (t[0] == "jobs" && t.size() == 2) {
    k.kind = "jobs";
  } else if (t[0] == "status" && t.size() == 5) {
    k.kind = "status";
    k.event = t[2];
    k.host = t[3];
    k.unix_nano = to_int64(t[4]);
  } else if (t[0] == "responses" && t.size() == 4) {
    k.kind = "responses";
    k.host = t[2];
  } else {
    return k;
  }
  k.id = t[1];
  return k;
}

std::map<std::string, JobKeys> group_job_keys(const std::vector<std::string>& keys) {
  std::map<std::string, JobKeys> out;
  for (const auto& key : keys) {
    const JobKey k = parse_job_key(key);
    if (k.kind.empty()) continue;
    auto& g = out[std::string(k.id)];
    g.id = std::string(k.id);
    if (k.kind == "jobs") {
      g.has_record = true;
    } else if (k.kind == "status") {
      g.events.push_back(key);
      if (k.event == "submitted" && k.host == "_api") g.submitted_unix_nano = k.unix_nano;
    } else {
      g.responses.push_back(key);
    }
  }
  return out;
}

std::string status_from_event_keys(const std::vector<std::string>& event_keys) {
  struct Event {
    int64_t unix_nano;
    std::string_view event, host;
  };
  std::vector<Event> events;
  for (const auto& key : event_keys) {
    const auto t = tokens(key);
    if (t.size() != 5) continue;
    events.push_back({to_int64(t[4]), t[2], t[3]});
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.unix_nano < b.unix_nano; });
  std::map<std::string_view, std::string_view> latest;  // host → latest event
  bool api_failed = false;                              // never queued (as in compute_status)
  for (const auto& e : events) {
    if (e.host != "_api")
      latest[e.host] = e.event;
    else if (e.event == "failed")
      api_failed = true;
  }
  size_t completed = 0, failed = 0, skipped = 0;
  for (const auto& [host, ev] : latest) {
    if (ev == "completed")
      ++completed;
    else if (ev == "failed")
      ++failed;
    else if (ev == "skipped")  // terminal, as in compute_status
      ++skipped;
    else
      return "processing";
  }
  if (latest.empty()) return api_failed ? "failed" : "submitted";
  if (failed == 0) return skipped > 0 && completed == 0 ? "skipped" : "completed";
  return completed == 0 ? "failed" : "partial_failure";
}

void sort_newest_first(std::vector<ListEntry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const ListEntry& a, const ListEntry& b) {
    if (a.created != b.created) return a.created > b.created;
    return a.id > b.id;
  });
}

std::vector<ListEntry> page_of(const std::vector<ListEntry>& ordered, int64_t limit,
                               int64_t offset) {
  if (offset < 0) offset = 0;
  if (static_cast<uint64_t>(offset) >= ordered.size()) return {};
  auto first = ordered.begin() + offset;
  auto last = ordered.end();
  if (limit > 0 && limit < last - first) last = first + limit;
  return {first, last};
}

}  // namespace osapi::job
