// Test helper: a 3-node (or n-node) nats-server JetStream cluster on loopback. Every node has
// its own server_name, client port, route port, monitor port and store dir under one temp dir;
// routes list every node. The constructor returns once every node reports the same elected
// JetStream meta leader with all peers known, so replicated streams can be created at once.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace osapi::testing {

class NatsCluster {
 public:
  // `extra_conf` is appended to every node's config.
  explicit NatsCluster(size_t nodes = 3, const std::string& extra_conf = "");
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  size_t size() const { return nodes_.size(); }
  int port(size_t i) const { return nodes_.at(i).port; }
  int monitor_port(size_t i) const { return nodes_.at(i).monitor_port; }
  std::string url(size_t i) const { return "nats://127.0.0.1:" + std::to_string(port(i)); }
  std::string name(size_t i) const { return nodes_.at(i).name; }
  // Every node's URL, comma separated.
  std::string urls() const;

  // The name of the JetStream meta leader as node `i` sees it ("" when none is elected).
  std::string meta_leader(size_t i) const;
  // Waits until every running node sees the same meta leader and a meta group of size() peers.
  bool wait_ready(std::chrono::milliseconds timeout);

  void stop(size_t i);
  void start(size_t i);  // same ports and store dir

 private:
  struct Node {
    std::string name;
    int port = 0, cluster_port = 0, monitor_port = 0;
    std::string conf;
    std::unique_ptr<Process> proc;
  };
  TempDir dir_;
  std::vector<Node> nodes_;
};

// Body of an HTTP GET to 127.0.0.1:port/path ("" when it fails); a plain socket, no client
// library, for monitor endpoints such as /jsz.
std::string http_get_local(int port, const std::string& path);

}  // namespace osapi::testing
