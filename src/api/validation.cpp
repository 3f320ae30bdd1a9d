#include "api/validation.h"

namespace osapi::api {

std::string field_error(const std::string& type, const std::string& field, const std::string& tag) {
  return "Key: '" + type + "." + field + "' Error:Field validation for '" + field +
         "' failed on the '" + tag + "' tag";
}

}  // namespace osapi::api
