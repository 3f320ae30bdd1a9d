// Restarts under load lose nothing. With eight clients submitting command jobs through HTTP,
// kill -9 one process of the real stack: the nats-server child (its supervisor starts it again
// by itself), the supervisor (child dies with it; started again), the controller (started
// again), the agent (started again). During the outage every request answers within its
// timeout with a clear error (an HTTP error with an {"error": …} body, or a refused or reset
// connection while the controller itself is down); after the restart requests succeed again
// with the other processes untouched; every job stored ends completed or failed with a reason;
// no job ran twice (each job's command appends its request's nonce to a file).
// Prints one `RESTART-FIGURES` line per fault.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "stack.h"

using namespace osapi::testing;
using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kAgentHost = "e2e-restart-agent";
constexpr int kClients = 8;
// The controller waits for a command job's answer for the command's own timeout (1 s) plus
// 10 s; the client allows a little more. A request still open at its deadline is a hang.
constexpr auto kRequestTimeout = 15s;

struct HttpResult {
  int status = 0;          // 0: no HTTP answer
  std::string body;        // or the transport error
  bool timed_out = false;  // nothing complete within the deadline
};

// One request on a fresh loopback connection (Connection: close), bounded by `timeout` from
// connect to the last byte.
HttpResult http(int port, const std::string& method, const std::string& path,
                const std::string& bearer, const std::string& body,
                std::chrono::milliseconds timeout) {
  HttpResult out;
  const auto deadline = Clock::now() + timeout;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    out.body = std::string("connect: ") + strerror(errno);
    close(fd);
    return out;
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                    "Authorization: Bearer " + bearer + "\r\n";
  if (!body.empty())
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    out.body = std::string("send: ") + strerror(errno);
    close(fd);
    return out;
  }
  std::string raw;
  char buf[8192];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      out.timed_out = true;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out.body = std::string("recv: ") + strerror(errno);
      break;
    }
    if (n == 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const auto head_end = raw.find("\r\n\r\n");
  if (out.timed_out || head_end == std::string::npos || raw.rfind("HTTP/1.", 0) != 0) {
    if (out.body.empty()) out.body = raw.empty() ? "connection closed without an answer" : raw;
    out.status = 0;
    return out;
  }
  out.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  out.body = raw.substr(head_end + 4);
  return out;
}

struct Sample {
  std::string nonce;
  Clock::time_point sent, done;
  HttpResult result;
  std::string job_id;  // from a 200 answer
  bool ok() const { return result.status / 100 == 2 && !job_id.empty(); }
};

// Eight clients, each submitting `/bin/sh runs.sh <nonce>` on the agent, one request after the
// other (a short pause between), until stopped.
class Load {
 public:
  Load(int port, std::string bearer, std::string script)
      : port_(port), bearer_(std::move(bearer)), script_(std::move(script)) {}
  ~Load() { stop(); }

  void start() {
    for (int i = 0; i < kClients; ++i) threads_.emplace_back([this, i] { client(i); });
  }
  void stop() {
    stopping_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  std::vector<Sample> samples() const {
    std::lock_guard<std::mutex> lock(mu_);
    return samples_;
  }
  // The first success among requests sent at or after `t`, if any.
  std::optional<Clock::time_point> first_success_sent_after(Clock::time_point t) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::optional<Clock::time_point> best;
    for (const auto& s : samples_)
      if (s.ok() && s.sent >= t && (!best || s.done < *best)) best = s.done;
    return best;
  }

 private:
  void client(int index) {
    for (int n = 0; !stopping_; ++n) {
      Sample s;
      s.nonce = "c" + std::to_string(index) + "-" + std::to_string(n);
      const json body{{"command", "/bin/sh"}, {"args", {script_, s.nonce}}, {"timeout", 1}};
      s.sent = Clock::now();
      s.result = http(port_, "POST", std::string("/api/node/") + kAgentHost + "/command/exec",
                      bearer_, body.dump(), kRequestTimeout);
      s.done = Clock::now();
      if (s.result.status / 100 == 2) {
        auto j = json::parse(s.result.body, nullptr, false);
        if (j.is_object()) s.job_id = j.value("job_id", "");
      }
      const bool ok = s.ok();
      {
        std::lock_guard<std::mutex> lock(mu_);
        samples_.push_back(std::move(s));
      }
      // Failures come back at once while something is down: pace them a little more.
      std::this_thread::sleep_for(ok ? 50ms : 100ms);
    }
  }

  const int port_;
  const std::string bearer_, script_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::vector<Sample> samples_;
};

// The non-empty "error" of an error body, or "".
std::string error_of(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_string()) return "";
  return j["error"].get<std::string>();
}

std::map<std::string, int> run_counts(const std::string& file) {
  std::map<std::string, int> out;
  std::ifstream in(file);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) ++out[l];
  return out;
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

enum class Fault { kNatsChild, kSupervisor, kController, kAgent };

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::kNatsChild:
      return "nats-server-child";
    case Fault::kSupervisor:
      return "nats-supervisor";
    case Fault::kController:
      return "controller";
    case Fault::kAgent:
      return "agent";
  }
  return "";
}

class RestartUnderLoad : public ::testing::Test {
 protected:
  void run_fault(Fault fault);

  std::map<std::string, std::string> agent_env() {
    // A short ack deadline: a job the killed agent had started is redelivered after 2 s (and
    // answered failed by the restarted agent) instead of after 30 s.
    return {{"OSAPI_AGENT_HOSTNAME", kAgentHost},
            {"OSAPI_AGENT_MACHINE_ID_FILE", stack_->dir().file("machine-id-0")},
            {"OSAPI_AGENT_CONSUMER_ACK_WAIT", "2s"},
            {"OSAPI_AGENT_CONSUMER_BACK_OFF", "2s"}};
  }

  // Every job the controller stored, with its latest view (paged list of /api/job).
  std::map<std::string, json> stored_jobs(const std::string& bearer) {
    std::map<std::string, json> out;
    for (int offset = 0;; offset += 100) {
      auto r = http(stack_->api_port(), "GET",
                    "/api/job?limit=100&offset=" + std::to_string(offset), bearer, "", 10s);
      auto j = json::parse(r.body, nullptr, false);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200 || !j.is_object()) return out;
      for (const auto& item : j["items"]) out[item.value("id", "")] = item;
      if (j["items"].size() < 100) return out;
    }
  }

  std::unique_ptr<Stack> stack_;
};

void RestartUnderLoad::run_fault(Fault fault) {
  TempDir work;
  const std::string runs = work.file("runs");
  const std::string script = work.write("runs.sh", "echo \"$1\" >> " + runs + "\n");
  StackOptions o;
  o.tracing = false;
  o.agents = {};
  // Reads answer within 3 s while an agent is away; command jobs wait their own 11 s.
  o.api_env = {{"OSAPI_CONTROLLER_API_JOB_TIMEOUT", "3s"}};
  stack_ = std::make_unique<Stack>(o);
  stack_->start_nats();
  stack_->start_api();
  stack_->dir().write("machine-id-0", "00000000000000000000000000e2e057\n");
  stack_->start_agent(agent_env());
  const std::string bearer = stack_->token();

  Load load(stack_->api_port(), bearer, script);
  load.start();
  // A steady state first: every request so far answered 200.
  std::this_thread::sleep_for(2s);
  {
    const auto before = load.samples();
    ASSERT_FALSE(before.empty());
    for (const auto& s : before) ASSERT_TRUE(s.ok()) << s.result.status << " " << s.result.body;
  }

  const auto fault_at = Clock::now();
  Clock::time_point restart_at = fault_at;
  switch (fault) {
    case Fault::kNatsChild: {
      const auto children = child_pids(stack_->nats()->pid());
      ASSERT_EQ(children.size(), 1u);
      ASSERT_EQ(::kill(children.front(), SIGKILL), 0);
      // Nobody restarts it but the supervisor itself.
      ASSERT_TRUE(stack_->nats()->wait_output("embedded NATS server restarted", 20s))
          << stack_->nats()->err();
      restart_at = fault_at;
      break;
    }
    case Fault::kSupervisor: {
      const auto children = child_pids(stack_->nats()->pid());
      ASSERT_EQ(children.size(), 1u);
      stack_->nats()->signal(SIGKILL);
      ASSERT_EQ(stack_->nats()->wait(10s), 128 + SIGKILL);
      ASSERT_TRUE(wait_process_gone(children.front(), 10s));
      std::this_thread::sleep_for(2s);  // the outage
      restart_at = Clock::now();
      stack_->start_nats();
      break;
    }
    case Fault::kController:
      stack_->api()->signal(SIGKILL);
      ASSERT_EQ(stack_->api()->wait(10s), 128 + SIGKILL);
      std::this_thread::sleep_for(2s);
      restart_at = Clock::now();
      stack_->start_api();
      break;
    case Fault::kAgent:
      stack_->agent(0)->signal(SIGKILL);
      ASSERT_EQ(stack_->agent(0)->wait(10s), 128 + SIGKILL);
      std::this_thread::sleep_for(2s);
      restart_at = Clock::now();
      stack_->start_agent(agent_env());
      break;
  }

  // Recovered: a request sent after the restart succeeds, then the load keeps going a while.
  std::optional<Clock::time_point> first_ok;
  const auto recover_deadline = Clock::now() + 30s;
  while (!(first_ok = load.first_success_sent_after(restart_at)) && Clock::now() < recover_deadline)
    std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(first_ok) << "no request succeeded within 30 s of the restart";
  std::this_thread::sleep_for(3s);
  const auto settled_at = *first_ok + 1s;
  load.stop();
  const auto samples = load.samples();

  // Answers: within the timeout, and clear.
  size_t failed = 0, failed_outage = 0, ok = 0;
  std::map<std::string, int> errors;  // "<status> <error>" → count
  for (const auto& s : samples) {
    EXPECT_FALSE(s.result.timed_out) << "request " << s.nonce << " hung past its timeout";
    if (s.ok()) {
      ++ok;
      continue;
    }
    ++failed;
    if (s.done >= fault_at && s.sent <= *first_ok) ++failed_outage;
    std::string why;
    if (s.result.status == 0) {
      // Only the controller's own absence may show as a connection problem.
      EXPECT_EQ(fault, Fault::kController) << s.nonce << ": " << s.result.body;
      why = "connection: " + s.result.body;
    } else {
      const std::string e = error_of(s.result.body);
      EXPECT_FALSE(e.empty()) << s.result.status << " without an error body: " << s.result.body;
      why = std::to_string(s.result.status) + " " + e;
    }
    ++errors[why.substr(0, 80)];
    // Once recovered, requests succeed again.
    EXPECT_LT(s.sent, settled_at) << "failed after recovery: " << why;
  }

  // Every job the controller stored ends final, with a reason when it failed. Jobs that were
  // running on a killed process get a bounded time to be answered (redelivery, restart).
  std::map<std::string, json> jobs;
  const auto final_deadline = Clock::now() + 30s;
  std::vector<std::string> open;
  do {
    jobs = stored_jobs(bearer);
    open.clear();
    for (const auto& [id, j] : jobs) {
      const std::string st = j.value("status", "");
      if (st != "completed" && st != "failed") open.push_back(id + " " + st);
    }
    if (open.empty()) break;
    std::this_thread::sleep_for(500ms);
  } while (Clock::now() < final_deadline);
  EXPECT_TRUE(open.empty()) << open.size() << " jobs not final, e.g. " << open.front();

  // Every answered job id is stored; no command ran twice; every completed job ran once.
  const auto counts = run_counts(runs);
  for (const auto& [nonce, n] : counts) EXPECT_EQ(n, 1) << "job " << nonce << " ran " << n << "x";
  for (const auto& s : samples) {
    if (!s.ok()) continue;
    EXPECT_TRUE(jobs.count(s.job_id)) << "answered job " << s.job_id << " is not stored";
    EXPECT_EQ(counts.count(s.nonce), 1u) << "answered job " << s.job_id << " did not run";
  }
  size_t completed = 0, job_failed = 0;
  for (const auto& [id, j] : jobs) {
    const std::string st = j.value("status", "");
    if (st == "failed") {
      ++job_failed;
      EXPECT_FALSE(j.value("error", "").empty()) << "failed without a reason: " << j.dump();
    }
    if (st != "completed") continue;
    ++completed;
    const auto& args = j["operation"]["data"]["args"];
    ASSERT_TRUE(args.is_array() && args.size() == 2) << j.dump();
    EXPECT_EQ(counts.count(args[1].get<std::string>()), 1u) << "completed job never ran: " << id;
  }

  // Nothing else was restarted.
  EXPECT_TRUE(stack_->nats()->running());
  EXPECT_TRUE(stack_->api()->running());
  EXPECT_TRUE(stack_->agent(stack_->agent(1) ? 1 : 0)->running());

  std::printf(
      "RESTART-FIGURES fault=%s sent=%zu ok=%zu failed=%zu failed_during_outage=%zu "
      "recover_s=%.2f jobs=%zu completed=%zu job_failed=%zu ran_twice=0\n",
      fault_name(fault), samples.size(), ok, failed, failed_outage, seconds(*first_ok - restart_at),
      jobs.size(), completed, job_failed);
  for (const auto& [why, n] : errors) std::printf("  %4d x %s\n", n, why.c_str());
  std::fflush(stdout);
}

TEST_F(RestartUnderLoad, KillNineOfTheNatsServerChild) {
  run_fault(Fault::kNatsChild);
}

TEST_F(RestartUnderLoad, KillNineOfTheNatsSupervisor) {
  run_fault(Fault::kSupervisor);
}

TEST_F(RestartUnderLoad, KillNineOfTheController) {
  run_fault(Fault::kController);
}

TEST_F(RestartUnderLoad, KillNineOfTheAgent) {
  run_fault(Fault::kAgent);
}

}  // namespace
