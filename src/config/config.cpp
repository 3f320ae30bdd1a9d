#include "config/config.h"

namespace osapi::config {

std::string ns_name(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "-" + name;
}

std::string ns_subject(const std::string& ns, const std::string& subject) {
  return ns.empty() ? subject : ns + "." + subject;
}

}  // namespace osapi::config
