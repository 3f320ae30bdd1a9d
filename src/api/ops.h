// The node-scoped operation tables, one file per area (ops_<area>.cpp).
#pragma once

#include <vector>

#include "api/node_operation.h"

namespace osapi::api {

void add_node_ops(std::vector<NodeOperation>& ops);
void add_network_ops(std::vector<NodeOperation>& ops);
void add_command_ops(std::vector<NodeOperation>& ops);

}  // namespace osapi::api
