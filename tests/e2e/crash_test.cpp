// A job runs at most once per host, through the real binary: `kill -9` of the agent mid-command
// takes the command (and what it started) with it; the restarted agent answers the redelivered
// job failed instead of running it again; a failing command job runs exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "stack.h"

using namespace osapi::testing;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kAgentHost = "e2e-crash-agent";

// A short ack deadline, so a redelivery comes after 2 s instead of back_off[0] = 30 s.
std::map<std::string, std::string> agent_env() {
  return {{"OSAPI_AGENT_HOSTNAME", kAgentHost},
          {"OSAPI_AGENT_CONSUMER_ACK_WAIT", "2s"},
          {"OSAPI_AGENT_CONSUMER_BACK_OFF", "2s"}};
}

StackOptions options() {
  StackOptions o;
  o.tracing = false;
  o.agents = {agent_env()};
  return o;
}

template <typename Cond>
bool eventually(Cond cond, std::chrono::milliseconds timeout = 10s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return cond();
}

// Exited (a zombie counts: an orphan waits for whoever adopted it to reap it).
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

std::vector<std::string> lines_of(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

off_t size_of(const std::string& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? st.st_size : -1;
}

// The id of the only job of the stack, "" until it is listed.
std::string only_job(Stack& stack) {
  auto r = stack.osapi({"-j", "client", "job", "list"});
  auto body = json::parse(r.out, nullptr, false);
  if (!body.is_object() || !body.contains("jobs") || body["jobs"].size() != 1) return "";
  return body["jobs"][0].value("id", "");
}

// `client job get -j` once the job's status is final (completed or failed).
json final_job(Stack& stack, const std::string& id, std::chrono::seconds timeout = 60s) {
  json last;
  eventually(
      [&] {
        auto r = stack.osapi({"-j", "client", "job", "get", "--job-id", id});
        last = json::parse(r.out, nullptr, false);
        const std::string s = last.is_object() ? last.value("status", "") : "";
        return s == "completed" || s == "failed";
      },
      timeout);
  return last;
}

std::string agent_error(const json& job) {
  if (!job.is_object() || !job.contains("agent_states")) return "";
  for (const auto& [host, state] : job["agent_states"].items())
    if (state.contains("error")) return state["error"].get<std::string>();
  return "";
}

// `osapi client node command exec --command /bin/sh --args=<script>` on the agent.
std::vector<std::string> exec_script(const std::string& script, int timeout) {
  return {"client",
          "node",
          "command",
          "exec",
          "--command",
          "/bin/sh",
          "--args=" + script,
          "--timeout",
          std::to_string(timeout),
          "-T",
          kAgentHost};
}

}  // namespace

TEST(E2ECrash, KilledAgentTakesItsCommandAndTheRedeliveryIsNotRunAgain) {
  TempDir work;
  const std::string script =
      work.write("tick.sh", "echo $$ >> " + work.file("runs") + "\nsleep 300 &\necho $! > " +
                                work.file("bg.pid") + "\nwhile :; do echo tick >> " +
                                work.file("ticks") + "; sleep 0.1; done\n");
  Stack stack(options());
  stack.start_all();

  // The client waits for an answer that the killed agent never gives.
  Process request([&] {
    std::vector<std::string> argv{OSAPI_BINARY, "-f", stack.config_path()};
    for (auto& a : exec_script(script, 300)) argv.push_back(a);
    return argv;
  }());
  ASSERT_TRUE(eventually([&] { return lines_of(work.file("runs")).size() == 1; }, 30s))
      << stack.agent(0)->err();
  ASSERT_TRUE(eventually([&] { return !read_file(work.file("bg.pid")).empty(); }));
  const pid_t cmd = std::stoi(lines_of(work.file("runs"))[0]);
  const pid_t bg = std::stoi(read_file(work.file("bg.pid")));
  ASSERT_TRUE(eventually([&] { return size_of(work.file("ticks")) > 0; }));
  std::string job_id;
  ASSERT_TRUE(eventually([&] { return !(job_id = only_job(stack)).empty(); }));

  stack.agent(0)->signal(SIGKILL);
  ASSERT_NE(stack.agent(0)->wait(10s), -1);
  EXPECT_TRUE(eventually([&] { return gone(cmd); })) << "command " << cmd << " outlived the agent";
  EXPECT_TRUE(eventually([&] { return gone(bg); })) << "its child " << bg << " outlived the agent";
  const off_t ticks = size_of(work.file("ticks"));
  std::this_thread::sleep_for(1s);  // ten ticks' worth
  EXPECT_EQ(size_of(work.file("ticks")), ticks) << "the script still runs";

  // The same machine id again: the same durable, so the job is redelivered to it.
  auto env = agent_env();
  env["OSAPI_AGENT_MACHINE_ID_FILE"] = stack.dir().file("machine-id-0");
  stack.start_agent(env);
  const json job = final_job(stack, job_id);
  EXPECT_EQ(job.value("status", ""), "failed") << job.dump();
  EXPECT_EQ(agent_error(job), "agent restarted while the job was running") << job.dump();

  // Past more redelivery periods: still the one run, and nothing ticks.
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(lines_of(work.file("runs")).size(), 1u) << "the script ran again";
  EXPECT_EQ(size_of(work.file("ticks")), ticks);
  EXPECT_EQ(final_job(stack, job_id).value("status", ""), "failed");
}

TEST(E2ECrash, FailingCommandJobsRunExactlyOnce) {
  TempDir work;
  Stack stack(options());
  stack.start_all();

  // A non-zero exit is the command's result, not a job failure.
  const std::string exits =
      work.write("exit1.sh", "echo run >> " + work.file("exit1") + "\nexit 1\n");
  auto args = exec_script(exits, 30);
  args.insert(args.begin(), "--json");
  auto r = stack.osapi(args);
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["results"][0]["exit_code"], 1) << r.out;

  // A timed-out command is a provider failure: answered failed, never redelivered.
  const std::string slow =
      work.write("slow.sh", "echo run >> " + work.file("slow") + "\nsleep 30\n");
  r = stack.osapi(exec_script(slow, 1));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("command timed out after 1s"), std::string::npos) << r.out << r.err;

  // Past two redelivery periods (ack_wait and back_off 2 s).
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(lines_of(work.file("exit1")).size(), 1u);
  EXPECT_EQ(lines_of(work.file("slow")).size(), 1u) << "the failed job ran again";
}
