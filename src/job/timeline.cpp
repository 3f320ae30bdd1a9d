#include "job/timeline.h"

#include <algorithm>

#include "common/strings.h"
#include "common/time.h"

namespace osapi::job {

nlohmann::ordered_json TimelineEvent::to_json() const {
  nlohmann::ordered_json j{{"timestamp", timestamp}, {"event", event}};
  if (!hostname.empty()) j["hostname"] = hostname;
  if (!message.empty()) j["message"] = message;
  if (!error.empty()) j["error"] = error;
  return j;
}

Result<TimelineEvent> TimelineEvent::parse(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error(ErrorCode::kInvalidArgument, "timeline event is not a JSON object");
  auto str = [&j](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  TimelineEvent e;
  e.event = str("event");
  e.timestamp = str("timestamp");
  if (e.event.empty() || e.timestamp.empty())
    return Error(ErrorCode::kInvalidArgument, "timeline event needs event and timestamp");
  e.hostname = str("hostname");
  e.message = str("message");
  e.error = str("error");
  Clock::time_point t;
  if (parse_rfc3339(e.timestamp, t))
    e.unix_nano =
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return e;
}

std::string timeline_key(const std::string& hostname, const std::string& event, int64_t unix_nano) {
  return "timeline." + sanitize_subject_token(hostname) + "." + sanitize_subject_token(event) +
         "." + std::to_string(unix_nano);
}

Status write_timeline_event(messaging::KeyValue& state, const std::string& hostname,
                            const std::string& event, const std::string& message,
                            const std::string& error) {
  const auto now = Clock::now();
  TimelineEvent e;
  e.timestamp = rfc3339_nano(now);
  e.event = event;
  e.hostname = hostname;
  e.message = message;
  e.error = error;
  e.unix_nano =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  auto r = state.put(timeline_key(hostname, event, e.unix_nano), e.to_json().dump());
  if (!r.ok()) return r.error().wrap("failed to write timeline event");
  return Status::Ok();
}

Result<std::vector<TimelineEvent>> read_timeline(messaging::KeyValue& state,
                                                 const std::string& hostname) {
  auto keys = state.keys("timeline." + sanitize_subject_token(hostname) + ".>");
  if (!keys.ok()) return keys.error();
  std::vector<TimelineEvent> out;
  for (const auto& k : *keys) {
    auto entry = state.get(k);
    if (!entry.ok()) return entry.error();
    if (!entry->has_value()) continue;  // deleted meanwhile
    auto e = TimelineEvent::parse((*entry)->value);
    if (e.ok()) out.push_back(std::move(*e));
  }
  std::stable_sort(out.begin(), out.end(), [](const TimelineEvent& a, const TimelineEvent& b) {
    return a.unix_nano < b.unix_nano;
  });
  return out;
}

}  // namespace osapi::job
