// `osapi token generate | validate`.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"

namespace osapi::cli {

struct TokenGenerateFlags {
  std::vector<std::string> roles;
  std::string subject;
  std::vector<std::string> permissions;
};

int token_generate(Context& ctx, const TokenGenerateFlags& f);
int token_validate(Context& ctx, const std::string& token);

}  // namespace osapi::cli
