// Validator-style messages: "Key: '<Type>.<Field>' Error:Field validation for '<Field>' failed
// on the '<tag>' tag", as clients of the upstream API parse them.
#pragma once

#include <string>

namespace osapi::api {

std::string field_error(const std::string& type, const std::string& field, const std::string& tag);

}  // namespace osapi::api
