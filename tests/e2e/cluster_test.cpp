// The real controller and agents on a 3-node JetStream cluster with every stream and bucket at
// replicas 3: each job submitted through the API must be answered exactly once. The controller
// talks to node 1 and the agents to nodes 2 and 3, so the agent often reads the job record
// through a node that is not the bucket's leader, right after the controller's put; a replica
// that has not stored it yet must not make the job disappear.
//
// OSAPI_CLUSTER_JOBS sets the job count (default 2000); the 20,000-job run:
//   OSAPI_CLUSTER_JOBS=20000 ctest --test-dir build -R ClusterTest --output-on-failure
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "messaging/nats.h"
#include "nats_cluster.h"
#include "process.h"

using namespace osapi::testing;
using json = nlohmann::json;

namespace {

size_t env_count(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  const long long n = std::atoll(v);
  return n > 0 ? static_cast<size_t>(n) : fallback;
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

// The controller and agents of one namespace on the cluster, configured for replicas 3.
class ClusterStack {
 public:
  explicit ClusterStack(NatsCluster& cluster) : cluster_(cluster) {
    api_port_ = free_port();
    metrics_port_ = free_port();
    while (metrics_port_ == api_port_) metrics_port_ = free_port();
    write_config("");
    auto r = osapi({"-j", "token", "generate", "-r", "admin", "-u", "cluster@test"});
    if (r.code != 0) throw std::runtime_error("token generate failed: " + r.err);
    token_ = json::parse(r.out)["token"].get<std::string>();
    write_config(token_);
  }
  ~ClusterStack() {
    for (auto it = agents_.rbegin(); it != agents_.rend(); ++it) (*it)->stop();
    if (api_) api_->stop();
  }

  void start_api() {
    api_ = std::make_unique<Process>(
        std::vector<std::string>{OSAPI_BINARY, "-f", config_, "controller", "start"},
        std::map<std::string, std::string>{}, dir_.path());
    if (!api_->wait_output("controller started", std::chrono::seconds(30)))
      throw std::runtime_error("controller did not start: " + api_->err());
  }

  // An agent connected to cluster node `node`.
  void start_agent(size_t node) {
    char id[33];
    std::snprintf(id, sizeof id, "%032zx", agents_.size() + 1 + 0xc1a000);
    const std::string name = "machine-id-" + std::to_string(agents_.size());
    dir_.write(name, std::string(id) + "\n");
    std::map<std::string, std::string> env{
        {"OSAPI_AGENT_MACHINE_ID_FILE", dir_.file(name)},
        {"OSAPI_AGENT_METRICS_PORT", "0"},
        {"OSAPI_AGENT_NATS_PORT", std::to_string(cluster_.port(node))}};
    agents_.push_back(std::make_unique<Process>(
        std::vector<std::string>{OSAPI_BINARY, "-f", config_, "agent", "start"}, env, dir_.path()));
    if (!agents_.back()->wait_output("agent started successfully", std::chrono::seconds(30)))
      throw std::runtime_error("agent did not start: " + agents_.back()->err());
  }

  RunResult osapi(const std::vector<std::string>& args) {
    std::vector<std::string> argv{OSAPI_BINARY, "-f", config_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }

  std::string api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
  const std::string& token() const { return token_; }
  std::string agents_output() const {
    std::string out;
    for (const auto& a : agents_) out += a->out() + a->err();
    return out;
  }

 private:
  void write_config(const std::string& bearer) {
    const std::string r3 = "{replicas: 3}";
    std::ostringstream y;
    y << "controller:\n"
      << "  client:\n    url: " << api_url() << "\n    security:\n      bearer_token: \"" << bearer
      << "\"\n"
      << "  api:\n    port: " << api_port_ << "\n    job_timeout: 10s\n"
      << "    security:\n      signing_key: " << kKey << "\n"
      << "  nats: {host: 127.0.0.1, port: " << cluster_.port(0) << ", namespace: osapi}\n"
      << "  metrics: {host: 127.0.0.1, port: " << metrics_port_ << "}\n"
      << "nats:\n"
      // Room for every job of the run: the limits are not what this test is about.
      << "  stream: {replicas: 3, max_msgs: 1000000}\n"
      << "  kv: {replicas: 3, max_bytes: 1073741824}\n"
      << "  dlq: " << r3 << "\n  audit: {replicas: 3, max_bytes: 268435456}\n"
      << "  registry: " << r3 << "\n  facts: " << r3 << "\n  state: " << r3 << "\n"
      << "  objects: {replicas: 3, max_bytes: 268435456}\n  file_state: " << r3
      << "\n  enrollment: " << r3 << "\n"
      << "telemetry:\n  tracing: {enabled: false}\n"
      << "agent:\n  nats: {host: 127.0.0.1, port: " << cluster_.port(1) << ", namespace: osapi}\n"
      << "  metrics: {host: 127.0.0.1, port: 0}\n";
    config_ = dir_.write("osapi.yaml", y.str());
  }

  static constexpr const char* kKey =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  NatsCluster& cluster_;
  TempDir dir_;
  int api_port_ = 0, metrics_port_ = 0;
  std::string config_, token_;
  std::unique_ptr<Process> api_;
  std::vector<std::unique_ptr<Process>> agents_;
};

size_t write_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct LoadOutcome {
  std::vector<std::string> job_ids;  // from every HTTP 200
  size_t failures = 0;
  std::string first_failure;
};

// `total` GET /api/node/_any/hostname calls from `workers` threads, each with its own kept-alive
// connection.
LoadOutcome submit_jobs(const std::string& url, const std::string& token, size_t total,
                        size_t workers) {
  LoadOutcome out;
  std::mutex mu;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    CURL* curl = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, ("Authorization: Bearer " + token).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
    std::vector<std::string> ids;
    while (next.fetch_add(1) < total) {
      std::string body;
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
      const CURLcode rc = curl_easy_perform(curl);
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      const auto j = json::parse(body, nullptr, false);
      if (rc == CURLE_OK && status == 200 && j.is_object() && j.contains("job_id")) {
        ids.push_back(j["job_id"].get<std::string>());
      } else {
        std::lock_guard<std::mutex> lk(mu);
        if (out.failures++ == 0)
          out.first_failure = std::to_string(status) + " " + curl_easy_strerror(rc) + " " + body;
      }
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    std::lock_guard<std::mutex> lk(mu);
    out.job_ids.insert(out.job_ids.end(), ids.begin(), ids.end());
  };
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  return out;
}

// Every entry of the bucket matching `pattern` (the initial replay of a watch).
std::vector<osapi::messaging::KvEntry> entries(osapi::messaging::KeyValue& kv,
                                               const std::string& pattern, bool meta_only) {
  std::vector<osapi::messaging::KvEntry> out;
  osapi::messaging::WatchOptions wo;
  wo.meta_only = meta_only;
  wo.ignore_deletes = true;
  auto w = kv.watch(pattern, wo);
  if (!w.ok()) {
    ADD_FAILURE() << w.error().message;
    return out;
  }
  for (;;) {
    auto e = (*w)->next(std::chrono::milliseconds(500));
    if (!e.ok()) {
      ADD_FAILURE() << e.error().message;
      break;
    }
    if (e->has_value())
      out.push_back(std::move(**e));
    else if ((*w)->initial_done())
      break;
  }
  return out;
}

// The job id in "<prefix>.<id>.…".
std::string id_of(const std::string& key) {
  const size_t a = key.find('.');
  if (a == std::string::npos) return "";
  const size_t b = key.find('.', a + 1);
  return key.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}

}  // namespace

TEST(ClusterTest, EveryJobIsAnsweredOnceWithReplicasThree) {
  const size_t total = env_count("OSAPI_CLUSTER_JOBS", 2000);
  const size_t workers = env_count("OSAPI_CLUSTER_WORKERS", 16);
  NatsCluster cluster(3);
  ClusterStack stack(cluster);
  stack.start_api();
  stack.start_agent(1);
  stack.start_agent(2);

  // Provisioned by the controller from the config: replicated, reads only from the leader.
  osapi::messaging::ConnectOptions o;
  o.url = cluster.url(2);
  o.reconnect_forever = false;
  auto conn = osapi::messaging::Connection::connect(o);
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  auto info = (*conn)->stream_info("KV_osapi-job-queue");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->replicas, 3);
  EXPECT_FALSE(info->allow_direct);
  auto jobs_stream = (*conn)->stream_info("osapi-JOBS");
  ASSERT_TRUE(jobs_stream.ok()) << jobs_stream.error().message;
  EXPECT_EQ(jobs_stream->replicas, 3);

  const auto began = std::chrono::steady_clock::now();
  const auto load =
      submit_jobs(stack.api_url() + "/api/node/_any/hostname", stack.token(), total, workers);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  auto kv = (*conn)->key_value("osapi-job-queue");
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  std::set<std::string> records;
  for (const auto& e : entries(**kv, "jobs.*", true)) records.insert(id_of(e.key));
  std::map<std::string, int> responses, completed, started;
  for (const auto& e : entries(**kv, "responses.>", false)) {
    const std::string id = id_of(e.key);
    ++responses[id];
    const auto j = json::parse(e.value, nullptr, false);
    if (j.is_object() && j.value("status", "") == "completed") ++completed[id];
  }
  for (const auto& e : entries(**kv, "status.*.started.>", true)) ++started[id_of(e.key)];

  const std::set<std::string> submitted(load.job_ids.begin(), load.job_ids.end());
  size_t lost = 0, duplicated = 0;
  for (const auto& id : records) {
    if (completed[id] != 1) ++lost;
    if (responses[id] > 1 || started[id] > 1) ++duplicated;
  }
  const std::string agents = stack.agents_output();
  const size_t late_reads = count_of(agents, "job record found on a later read");
  const size_t missing = count_of(agents, "job record missing");
  std::printf(
      "cluster run: %zu jobs in %.1f s (%.0f jobs/s), %zu HTTP failures, %zu lost, %zu "
      "duplicated, %zu records found only on a later read, %zu missing\n",
      total, seconds, static_cast<double>(total) / seconds, load.failures, lost, duplicated,
      late_reads, missing);

  EXPECT_EQ(load.failures, 0u) << load.first_failure;
  EXPECT_EQ(load.job_ids.size(), total);
  EXPECT_EQ(submitted.size(), load.job_ids.size()) << "a job id was answered twice";
  EXPECT_EQ(records.size(), total);
  EXPECT_EQ(records, submitted);
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(duplicated, 0u);
  EXPECT_EQ(missing, 0u);
}
