#include "agent/consumers.h"

#include "common/strings.h"

namespace osapi::agent {

std::vector<ConsumerPlan> plan_consumers(const job::Names& names, const std::string& hostname,
                                         const std::map<std::string, std::string>& labels) {
  const std::string h = sanitize_subject_token(hostname);
  std::vector<ConsumerPlan> out;
  for (auto kind : {job::OpKind::kQuery, job::OpKind::kModify}) {
    const std::string k = job::kind_name(kind);
    const std::string& p = names.prefix(kind);
    out.push_back({k + "_any", p + "._any", "all", true});
    out.push_back({k + "_all_" + h, p + "._all", "new", false});
    out.push_back({k + "_direct_" + h, p + ".host." + h, "all", false});
    for (const auto& [key, value] : labels) {
      std::string prefix;
      for (const auto& seg : split(value, '.')) {
        prefix = prefix.empty() ? seg : prefix + "." + seg;
        out.push_back({k + "_label_" + key + "_" + sanitize_subject_token(prefix) + "_" + h,
                       p + ".label." + key + "." + prefix, "new", false});
      }
    }
  }
  return out;
}

}  // namespace osapi::agent
