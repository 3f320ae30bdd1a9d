// A job runs at most once per host, against a real nats-server and real agents: a delivery of
// a job this host already started is answered failed without running it (an `_any` job
// started by another agent too), an answered job's redelivery is only acked, a failed job is
// never redelivered, and stopping the agent kills the commands it still runs.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "agent/prior_run.h"
#include "agent_fixture.h"

using namespace osapi;
using osapi::agent_test::eventually;
using osapi::agent_test::Fixture;
using json = nlohmann::ordered_json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRestarted = "agent restarted while the job was running";

// A shell command job that appends one line to `file` per run, then runs `rest`.
json append_job(const std::string& file, const std::string& rest = "", int timeout = 0) {
  json data{{"command", "echo run >> '" + file + "'" + (rest.empty() ? "" : "; " + rest)}};
  if (timeout > 0) data["timeout"] = timeout;
  return json{{"type", "command.shell.execute"}, {"data", data}};
}

size_t lines(const std::string& file) {
  std::ifstream in(file);
  size_t n = 0;
  for (std::string l; std::getline(in, l);) ++n;
  return n;
}

// What an agent that died mid-job leaves behind: its `started` event and no response.
void put_event(Fixture& f, const std::string& event, const std::string& job_id,
               const std::string& host, const std::string& machine_id, int64_t nano) {
  job::StatusEvent e;
  e.job_id = job_id;
  e.event = event;
  e.hostname = host;
  e.unix_nano = nano;
  e.data = json{{"machine_id", machine_id}};
  ASSERT_TRUE(f.jobs_kv->put(e.key(), e.to_json().dump()).ok());
}

// The started event and the run marker an agent writes before it runs a job (`any_host`: the
// job went to `_any`).
void put_started(Fixture& f, const std::string& job_id, const std::string& host,
                 const std::string& machine_id, int64_t nano, bool any_host = false) {
  put_event(f, "started", job_id, host, machine_id, nano);
  ASSERT_TRUE(f.jobs_kv
                  ->put(agent::run_marker_key(job_id, host, any_host),
                        job::run_marker_value(host, machine_id, nano))
                  .ok());
}

void put_response(Fixture& f, const std::string& job_id, const std::string& host, int64_t nano) {
  job::JobResponse r;
  r.job_id = job_id;
  r.status = "completed";
  r.hostname = host;
  r.unix_nano = nano;
  ASSERT_TRUE(f.jobs_kv->put(r.key(), r.to_json().dump()).ok());
}

job::Target host_target(const agent::Agent& a) {
  auto t = job::parse_target(a.hostname());
  t->machine_id = a.machine_id();
  return *t;
}

job::Target any_target() {
  return *job::parse_target("_any");
}

// Exited (a zombie counts: an orphan waits for whoever adopted it to reap it).
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = osapi::testing::read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

bool settled(Fixture& f, const std::string& durable) {
  auto info = f.conn->consumer_info(f.names.stream, durable);
  return info.ok() && info->num_ack_pending == 0 && info->num_pending == 0;
}

std::string direct_durable(Fixture& f, const agent::Agent& a) {
  return f.cfg.agent.consumer.name + "_modify_direct_" + a.machine_id();
}

// The response of `host` once one is stored.
std::optional<job::JobResponse> response_of(Fixture& f, const std::string& job_id,
                                            const std::string& host) {
  std::optional<job::JobResponse> out;
  eventually(
      [&] {
        auto view = f.jobs->get(job_id);
        if (!view.ok() || !view->responses.count(host)) return false;
        out = view->responses.at(host);
        return true;
      },
      20s);
  return out;
}

}  // namespace

TEST(AgentAtMostOnce, JobStartedBeforeARestartIsAnsweredFailedNotRunAgain) {
  Fixture f;
  osapi::testing::TempDir work;
  const auto cfg = f.agent_config("agent-a");
  auto& first = f.start(cfg);
  const auto target = host_target(first);
  first.stop();  // the durable stays: the job waits in it

  auto sub = f.jobs->submit(append_job(work.file("runs")), target, job::OpKind::kModify);
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  put_started(f, sub->job_id, "agent-a", target.machine_id, unix_nano(Clock::now()));

  auto& again = f.start(cfg);  // same machine id and hostname: same durable
  auto r = response_of(f, sub->job_id, "agent-a");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "failed");
  EXPECT_EQ(r->error, kRestarted);
  EXPECT_TRUE(eventually([&] { return settled(f, direct_durable(f, again)); }));
  EXPECT_EQ(lines(work.file("runs")), 0u) << "the command ran again";
  auto view = f.jobs->get(sub->job_id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "failed");
}

TEST(AgentAtMostOnce, AnyJobStartedByAnotherAgentIsNotRunAgain) {
  Fixture f;
  osapi::testing::TempDir work;
  auto& a = f.add_agent("agent-a");
  const std::string machine_a = a.machine_id();
  a.stop();

  auto sub = f.jobs->submit(append_job(work.file("runs")), any_target(), job::OpKind::kModify);
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  put_started(f, sub->job_id, "agent-a", machine_a, unix_nano(Clock::now()), true);

  f.add_agent("agent-b");
  auto r = response_of(f, sub->job_id, "agent-b");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "failed");
  EXPECT_EQ(r->error, std::string(kRestarted) + " (started on agent-a)");
  EXPECT_TRUE(eventually([&] { return settled(f, f.cfg.agent.consumer.name + "_modify_any"); }));
  EXPECT_EQ(lines(work.file("runs")), 0u);
}

TEST(AgentAtMostOnce, AnsweredJobsRedeliveryIsOnlyAcked) {
  Fixture f;
  osapi::testing::TempDir work;
  const auto cfg = f.agent_config("agent-a");
  auto& first = f.start(cfg);
  const auto target = host_target(first);
  first.stop();

  auto sub = f.jobs->submit(append_job(work.file("runs")), target, job::OpKind::kModify);
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  // The agent answered, then died before its ack reached the server.
  const int64_t t = unix_nano(Clock::now());
  put_started(f, sub->job_id, "agent-a", target.machine_id, t);
  put_event(f, "completed", sub->job_id, "agent-a", target.machine_id, t + 1000);
  put_response(f, sub->job_id, "agent-a", t + 1000);

  auto& again = f.start(cfg);
  EXPECT_TRUE(eventually([&] { return settled(f, direct_durable(f, again)); }, 20s));
  EXPECT_EQ(f.response_count(sub->job_id), 1u);
  EXPECT_EQ(lines(work.file("runs")), 0u);
  auto view = f.jobs->get(sub->job_id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->status, "completed");
}

TEST(AgentAtMostOnce, OtherAgentsStartsDoNotBlockADirectJob) {
  Fixture f;
  osapi::testing::TempDir work;
  const auto cfg = f.agent_config("agent-b");
  auto& first = f.start(cfg);
  const auto target = host_target(first);
  first.stop();

  auto sub = f.jobs->submit(append_job(work.file("runs")), target, job::OpKind::kModify);
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  // Another host, and another machine that shares this hostname: neither is this agent.
  const int64_t t = unix_nano(Clock::now());
  put_started(f, sub->job_id, "agent-x", Fixture::make_id(90), t);
  put_started(f, sub->job_id, "agent-b", Fixture::make_id(91), t + 1);

  f.start(cfg);
  auto r = response_of(f, sub->job_id, "agent-b");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "completed") << r->error;
  EXPECT_EQ(lines(work.file("runs")), 1u);
}

TEST(AgentAtMostOnce, FailedJobIsFinalAndNeverRedelivered) {
  Fixture f;
  // Before: a provider failure was nak'ed with back_off[0] and ran again a second later.
  f.cfg.agent.consumer.ack_wait = 1s;
  f.cfg.agent.consumer.back_off = {1s};
  osapi::testing::TempDir work;
  auto& a = f.add_agent("agent-a");
  auto out = f.run(append_job(work.file("runs"), "sleep 30", 1), "agent-a", job::OpKind::kModify);
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->responses.size(), 1u);
  EXPECT_EQ(out->responses.front().status, "failed");
  EXPECT_EQ(out->responses.front().error, "command shell failed: command timed out after 1s");
  EXPECT_TRUE(eventually([&] { return settled(f, direct_durable(f, a)); }));

  // Past several redelivery periods: still one run, one response, no redelivery.
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(lines(work.file("runs")), 1u);
  EXPECT_EQ(f.response_count(out->job_id), 1u);
  auto info = f.conn->consumer_info(f.names.stream, direct_durable(f, a));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->num_redelivered, 0);
  EXPECT_TRUE(settled(f, direct_durable(f, a)));
}

TEST(AgentAtMostOnce, StopKillsRunningCommandsAndAnswersTheirJobs) {
  Fixture f;
  osapi::testing::TempDir work;
  auto& a = f.add_agent("agent-a");
  const std::string pid_file = work.file("pid");
  auto sub = f.jobs->submit(
      append_job(work.file("runs"),
                 "sleep 300 & echo $! > '" + pid_file + ".bg'; echo $$ > '" + pid_file + "'; wait",
                 300),
      host_target(a), job::OpKind::kModify);
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(eventually([&] { return !osapi::testing::read_file(pid_file).empty(); }, 20s));
  const pid_t pid = std::stoi(osapi::testing::read_file(pid_file));
  const pid_t bg = std::stoi(osapi::testing::read_file(pid_file + ".bg"));

  EXPECT_TRUE(a.stop(200ms));  // the deadline passes; the kill lets the job finish
  EXPECT_TRUE(eventually([&] { return gone(pid) && gone(bg); }, 10s))
      << "command " << pid << " or its child " << bg << " survived the agent's stop";
  auto r = response_of(f, sub->job_id, "agent-a");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "failed");
  EXPECT_EQ(r->error, "command shell failed: command killed: agent is stopping");
  EXPECT_TRUE(settled(f, direct_durable(f, a)));
  EXPECT_EQ(lines(work.file("runs")), 1u);
}
