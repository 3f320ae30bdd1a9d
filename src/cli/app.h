#pragma once

namespace osapi::cli {
// Entry point of the `osapi` binary: builds the command tree and runs the chosen role.
int run(int argc, char** argv);
}  // namespace osapi::cli
