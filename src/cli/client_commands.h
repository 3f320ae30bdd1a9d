// `osapi client …` commands (spec/cli.md §6–§12).
#pragma once

#include <string>

#include "cli/context.h"

namespace osapi::cli {

struct ClientFlags {
  std::string target = "_any";
  bool target_given = false;
};

int client_health(Context& ctx, const std::string& which);  // "", "ready"
int client_node_list(Context& ctx);
int client_node_hostname(Context& ctx, const ClientFlags& f);
int client_node_status(Context& ctx, const ClientFlags& f);

}  // namespace osapi::cli
