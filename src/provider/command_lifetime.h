// Ties a running command to the lifetime of the process that runs it (run_command's helper):
// the command's process group is registered with its owner (ProcessGroups, so the agent can
// kill it on stop) and watched by a guard process that kills the whole group when this
// process dies.
#pragma once

#include <sys/types.h>

#include "provider/command.h"

namespace osapi::provider::detail {

class Supervision {
 public:
  Supervision(ProcessGroups* groups, pid_t group) : groups_(groups), group_(group) {}
  ~Supervision() { (void)finish(); }
  Supervision(const Supervision&) = delete;
  Supervision& operator=(const Supervision&) = delete;

  // Forks the guard; false (errno set) when it could not.
  bool start_guard();
  // Registers the group with the owner; false once the owner's kill_all() ran.
  bool registered();
  // Releases the guard (the command is over, nothing to kill) and unregisters; true when
  // kill_all() killed the group.
  bool finish();

 private:
  ProcessGroups* groups_;
  const pid_t group_;
  bool registered_ = false;
  pid_t guard_ = -1;
  int guard_w_ = -1;
};

}  // namespace osapi::provider::detail
