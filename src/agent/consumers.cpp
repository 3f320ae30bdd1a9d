#include "agent/consumers.h"

#include <cctype>

#include "common/strings.h"

namespace osapi::agent {

std::vector<ConsumerPlan> plan_consumers(const job::Names& names, const std::string& consumer_name,
                                         const std::string& machine_id,
                                         const std::map<std::string, std::string>& labels) {
  const std::string m = sanitize_subject_token(machine_id);
  const std::string prefix_name = consumer_name.empty() ? "" : consumer_name + "_";
  std::vector<ConsumerPlan> out;
  for (auto kind : {job::OpKind::kQuery, job::OpKind::kModify}) {
    const std::string k = prefix_name + job::kind_name(kind);
    const std::string& p = names.prefix(kind);
    // One durable shared by every agent: an `_any` job goes to exactly one of them.
    out.push_back({k + "_any", p + "._any", "all"});
    out.push_back({k + "_all_" + m, p + "._all", "new"});
    out.push_back({k + "_direct_" + m, p + ".host." + m, "all"});
    for (const auto& [key, value] : labels) {
      std::string prefix;
      for (const auto& seg : split(value, '.')) {
        prefix = prefix.empty() ? seg : prefix + "." + seg;
        out.push_back({k + "_label_" + key + "_" + sanitize_subject_token(prefix) + "_" + m,
                       p + ".label." + key + "." + prefix, "new"});
      }
    }
  }
  return out;
}

Status check_consumer_name(const std::string& consumer_name) {
  for (char c : consumer_name) {
    if (c == '.' || c == '*' || c == '>' || c == '/' || c == '\\' ||
        std::isspace(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) < 0x20)
      return Error(ErrorCode::kInvalidArgument, "agent.consumer.name \"" + consumer_name +
                                                    "\" cannot be part of a consumer name: '" +
                                                    std::string(1, c) + "' is not allowed");
  }
  return Status::Ok();
}

}  // namespace osapi::agent
