#include "natsserver/port_holder.h"

#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace osapi::natsserver {
namespace {

// Inodes of LISTEN sockets on `port` in a /proc/net/tcp{,6} table.
void listening_inodes(const std::string& table, int port, std::set<std::string>& out) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    std::istringstream fields(line);
    std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
    if (!(fields >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >>
          inode))
      continue;
    const auto colon = local.rfind(':');
    if (colon == std::string::npos || state != "0A") continue;  // 0A: TCP_LISTEN
    if (std::strtol(local.c_str() + colon + 1, nullptr, 16) != port) continue;
    if (inode != "0") out.insert(inode);
  }
}

std::string read_comm(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

}  // namespace

std::optional<PortHolder> find_port_holder(int port) {
  std::set<std::string> inodes;
  listening_inodes("/proc/net/tcp", port, inodes);
  listening_inodes("/proc/net/tcp6", port, inodes);
  if (inodes.empty()) return std::nullopt;
  std::set<std::string> links;
  for (const auto& i : inodes) links.insert("socket:[" + i + "]");

  DIR* proc = opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<PortHolder> found;
  while (!found) {
    const dirent* pe = readdir(proc);
    if (pe == nullptr) break;
    const std::string pid = pe->d_name;
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string fd_dir = "/proc/" + pid + "/fd";
    DIR* fds = opendir(fd_dir.c_str());  // EACCES for other users' processes unless root
    if (fds == nullptr) continue;
    while (const dirent* fe = readdir(fds)) {
      char target[64] = {0};
      const std::string link = fd_dir + "/" + fe->d_name;
      const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      if (n <= 0 || links.count(std::string(target, static_cast<size_t>(n))) == 0) continue;
      found = PortHolder{static_cast<pid_t>(std::atol(pid.c_str())), read_comm(pid)};
      break;
    }
    closedir(fds);
  }
  closedir(proc);
  return found;
}

Status check_port_free(const std::string& host, int port) {
  std::string h = host;
  if (h.size() > 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (getaddrinfo(h.empty() ? nullptr : h.c_str(), std::to_string(port).c_str(), &hints, &res) != 0)
    return Status::Ok();
  bool in_use = false;
  for (addrinfo* ai = res; ai != nullptr && !in_use; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    in_use = bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno == EADDRINUSE;
    close(fd);
  }
  freeaddrinfo(res);
  if (!in_use) return Status::Ok();

  const std::string where = host + ":" + std::to_string(port) + ": address already in use";
  if (const auto holder = find_port_holder(port)) {
    const std::string who = holder->command.empty() ? "" : " (" + holder->command + ")";
    return Error(ErrorCode::kUnavailable, where + ", held by pid " + std::to_string(holder->pid) +
                                              who + "; stop it or change nats.server.port");
  }
  return Error(ErrorCode::kUnavailable, where + "; stop the process listening on port " +
                                            std::to_string(port) + " or change nats.server.port");
}

}  // namespace osapi::natsserver
