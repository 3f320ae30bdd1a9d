// The audit log's local spool: where entries go while the store (the JetStream audit stream)
// cannot take them, until they are replayed. A directory (mode 0700) of segment files
// "audit-<16-digit number>.jsonl" (mode 0600), one entry's JSON per line, appended with
// write + fsync. Segment numbers grow, so name order is write order. A line without its
// final newline (a write cut short by a crash) is ignored when read.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "api/audit.h"
#include "common/result.h"

namespace osapi::api {

class AuditSpool {
 public:
  // Nothing is created until the first append; existing segments (from an earlier run) are
  // counted as pending.
  explicit AuditSpool(std::string dir);

  const std::string& dir() const { return dir_; }
  // Appends the records to the open segment and fsyncs it. An error means none of them can
  // be counted on (disk full, directory not writable).
  Status append(const std::vector<AuditRecord>& records);
  // Entries appended and not yet removed (every segment, open or sealed).
  uint64_t pending();
  // Closes the open segment (the next append starts a new one) and returns every segment,
  // oldest first, for replay. With no segment on disk, pending() becomes 0.
  std::vector<std::string> seal();
  // Records of one segment in order; a torn or unreadable line is skipped.
  static Result<std::vector<AuditRecord>> read_segment(const std::string& path);
  // Removes a replayed segment; `entries` is how many it held.
  Status remove(const std::string& path, uint64_t entries);

 private:
  Status open_segment();
  std::vector<std::string> segments() const;

  const std::string dir_;
  std::mutex mu_;
  int fd_ = -1;
  uint64_t next_number_ = 1;
  uint64_t pending_ = 0;
};

}  // namespace osapi::api
