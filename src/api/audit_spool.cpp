#include "api/audit_spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "logging/logger.h"

namespace osapi::api {

namespace {

constexpr const char* kPrefix = "audit-";
constexpr const char* kSuffix = ".jsonl";

Error sys_error(const std::string& what) {
  return Error(ErrorCode::kUnavailable, what + ": " + std::strerror(errno));
}

// The segment number of a file name, 0 when it is not a segment.
uint64_t segment_number(const std::string& name) {
  const std::string prefix = kPrefix, suffix = kSuffix;
  if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return 0;
  const std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return 0;
  return std::strtoull(digits.c_str(), nullptr, 10);
}

// Creates the directory and its missing parents (mode 0700 for the spool itself).
Status make_dirs(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    errno = ENOTDIR;
    return sys_error("audit spool " + dir);
  }
  const auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0)
    if (auto parent = make_dirs(dir.substr(0, slash)); !parent.ok()) return parent;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("audit spool " + dir);
  return Status::Ok();
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

AuditSpool::AuditSpool(std::string dir) : dir_(std::move(dir)) {
  for (const auto& path : segments()) {
    auto records = read_segment(path);
    if (records.ok()) pending_ += records->size();
    const auto slash = path.find_last_of('/');
    next_number_ = std::max(next_number_, segment_number(path.substr(slash + 1)) + 1);
  }
}

std::vector<std::string> AuditSpool::segments() const {
  std::vector<std::pair<uint64_t, std::string>> found;
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (const dirent* ent = ::readdir(d)) {
      const uint64_t n = segment_number(ent->d_name);
      if (n > 0) found.emplace_back(n, dir_ + "/" + ent->d_name);
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [n, path] : found) out.push_back(std::move(path));
  return out;
}

Status AuditSpool::open_segment() {
  if (auto st = make_dirs(dir_); !st.ok()) return st;
  char name[64];
  std::snprintf(name, sizeof name, "%s%016llu%s", kPrefix,
                static_cast<unsigned long long>(next_number_), kSuffix);
  const std::string path = dir_ + "/" + name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("audit spool " + path);
  ::fchmod(fd, 0600);  // whatever the umask or an older file said
  // The new name must survive a crash too.
  if (const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  ++next_number_;
  fd_ = fd;
  return Status::Ok();
}

Status AuditSpool::append(const std::vector<AuditRecord>& records) {
  if (records.empty()) return Status::Ok();
  std::string data;
  for (const auto& r : records) {
    data += r.json;
    data += '\n';
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0)
    if (auto st = open_segment(); !st.ok()) return st;
  if (!write_all(fd_, data) || ::fsync(fd_) != 0) {
    Error e = sys_error("audit spool " + dir_);
    // The segment may now end in a partial line: start a fresh one next time, so a later
    // append never continues a torn line.
    ::close(fd_);
    fd_ = -1;
    return e;
  }
  pending_ += records.size();
  return Status::Ok();
}

uint64_t AuditSpool::pending() {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

std::vector<std::string> AuditSpool::seal() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  auto out = segments();
  // No file left (e.g. removed by hand): nothing is pending, whatever was counted.
  if (out.empty()) pending_ = 0;
  return out;
}

Result<std::vector<AuditRecord>> AuditSpool::read_segment(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kUnavailable, "audit spool " + path + ": cannot read");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<AuditRecord> out;
  size_t start = 0;
  for (;;) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      if (start < text.size())
        logging::warn("audit spool: ignoring a torn last line",
                      {{"file", path}, {"bytes", static_cast<unsigned long>(text.size() - start)}});
      break;
    }
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    auto doc = nlohmann::json::parse(line, nullptr, false);
    if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string()) {
      logging::warn("audit spool: skipping an unreadable line", {{"file", path}});
      continue;
    }
    out.push_back({doc["id"].get<std::string>(), std::move(line)});
  }
  return out;
}

Status AuditSpool::remove(const std::string& path, uint64_t entries) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_error("audit spool " + path);
  std::lock_guard<std::mutex> lock(mu_);
  pending_ -= std::min(pending_, entries);
  return Status::Ok();
}

}  // namespace osapi::api
