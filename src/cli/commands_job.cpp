// client job add|get|list|delete|retry|run|status (spec/cli.md §15).
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/api_call.h"
#include "cli/command_env.h"
#include "common/ids.h"
#include "common/time.h"
#include "logging/logger.h"

namespace osapi::cli {

using json = nlohmann::ordered_json;

namespace {

struct JobFlags {
  std::string job_id;
  std::string json_file;
  std::string target_hostname = "_any";
  std::string status;
  long long limit = 10;
  long long offset = 0;
  int timeout_seconds = 60;
  double poll_interval_seconds = 2;
  int status_poll_seconds = 30;
};

void require_uuid(const std::string& id) {
  if (!is_uuid(id)) throw CommandError{"invalid job ID: " + id + " is not a valid UUID"};
}

// The operation file of `add`/`run`: a JSON object, else the command fails before any request.
json read_operation(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CommandError{"failed to read " + path + ": no such file or not readable"};
  std::stringstream ss;
  ss << in.rdbuf();
  json op = json::parse(ss.str(), nullptr, false);
  if (op.is_discarded()) throw CommandError{"invalid JSON in " + path};
  if (!op.is_object()) throw CommandError{"invalid JSON in " + path + ": not an object"};
  return op;
}

// The job detail view shared by `get` and `run`.
std::string job_detail(const json& j, const Style& style) {
  std::string out = kv_line({{"Job ID", str(j, "id")}, {"Status", str(j, "status")}}, style);
  const std::pair<const char*, const char*> lines[] = {{"hostname", "Hostname"},
                                                       {"created", "Created"},
                                                       {"updated_at", "Updated At"},
                                                       {"error", "Error"},
                                                       {"trace_id", "Trace ID"}};
  for (const auto& [key, label] : lines)
    if (const std::string v = str(j, key); !v.empty()) out += kv_line({{label, v}}, style);
  const json states = j.is_object() ? j.value("agent_states", json::object()) : json::object();
  if (states.size() > 1) {
    int done = 0, failed = 0, processing = 0;
    for (const auto& [h, st] : states.items()) {
      const std::string s = str(st, "status");
      if (s == "completed")
        ++done;
      else if (s == "failed")
        ++failed;
      else
        ++processing;
    }
    out += kv_line({{"Agents", std::to_string(states.size()) + " total (" + std::to_string(done) +
                                   " completed, " + std::to_string(failed) + " failed, " +
                                   std::to_string(processing) + " processing)"}},
                   style);
  }
  if (j.contains("operation"))
    out += section("Job Request", Table{{"DATA"}, {{j["operation"].dump(2)}}}, style);
  if (j.contains("responses")) {
    Table t{{"HOSTNAME", "STATUS", "DATA", "ERROR"}, {}};
    for (const auto& [h, resp] : j["responses"].items())
      t.rows.push_back({h, str(resp, "status"), resp.contains("data") ? resp["data"].dump(2) : "",
                        str(resp, "error")});
    out += section("Agent Responses", t, style);
  }
  if (!states.empty()) {
    Table t{{"HOSTNAME", "STATUS", "DURATION", "ERROR"}, {}};
    for (const auto& [h, st] : states.items())
      t.rows.push_back({h, str(st, "status"), str(st, "duration"), str(st, "error")});
    out += section("Agent States", t, style);
  }
  if (j.contains("timeline")) {
    Table t{{"TIMESTAMP", "EVENT", "HOSTNAME", "MESSAGE", "ERROR"}, {}};
    for (const auto& e : j["timeline"])
      t.rows.push_back({str(e, "timestamp"), str(e, "event"), str(e, "hostname"), str(e, "message"),
                        str(e, "error")});
    out += section("Timeline", t, style);
  }
  if (j.contains("result"))
    out += section("Job Result", Table{{"DATA"}, {{j["result"].dump(2)}}}, style);
  return out;
}

// POST /job (add, run): the 201 body.
Reply submit_job(Context& ctx, const json& operation, const std::string& target) {
  Reply r = call(ctx, "POST", "/job", true,
                 json{{"operation", operation}, {"target_hostname", target}}.dump());
  if (r.status >= 400) api_error(ctx, r);
  return r;
}

// "Job ID: <id>   Status: unprocessed" / "Revision: <n>" after add and retry.
int print_created(Context& ctx, const Reply& r) {
  if (ctx.json) {
    print_json_body(r);
    return 0;
  }
  const std::string revision =
      r.doc.is_object() && r.doc.contains("revision") ? r.doc["revision"].dump() : "";
  std::string out =
      kv_line({{"Job ID", str(r.doc, "job_id")}, {"Status", str(r.doc, "status")}}, ctx.style);
  out += kv_line({{"Revision", revision}}, ctx.style);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  logging::info("job created successfully", {{"job_id", str(r.doc, "job_id")}});
  return 0;
}

int job_add(Context& ctx, const JobFlags& f) {
  const json op = read_operation(f.json_file);
  return print_created(ctx, submit_job(ctx, op, f.target_hostname));
}

int job_get(Context& ctx, const JobFlags& f) {
  require_uuid(f.job_id);
  Reply r = call(ctx, "GET", "/job/" + f.job_id, true);
  if (r.status >= 400) api_error(ctx, r);
  if (ctx.json)
    print_json_body(r);
  else
    std::fputs(job_detail(r.doc, ctx.style).c_str(), stdout);
  return 0;
}

int job_delete(Context& ctx, const JobFlags& f) {
  require_uuid(f.job_id);
  Reply r = call(ctx, "DELETE", "/job/" + f.job_id, true);
  if (r.status >= 400) api_error(ctx, r);
  if (ctx.json) {
    std::printf(
        "%s\n",
        json{{"job_id", f.job_id}, {"status", "deleted"}, {"timestamp", rfc3339(Clock::now())}}
            .dump()
            .c_str());
  } else {
    std::fputs(kv_line({{"Job ID", f.job_id}, {"Status", "Deleted"}}, ctx.style).c_str(), stdout);
  }
  return 0;
}

int job_retry(Context& ctx, const JobFlags& f) {
  require_uuid(f.job_id);
  Reply r = call(ctx, "POST", "/job/" + f.job_id + "/retry", true,
                 json{{"target_hostname", f.target_hostname}}.dump());
  if (r.status >= 400) api_error(ctx, r);
  return print_created(ctx, r);
}

// "2026-02-26T22:41:07Z" → "2026-02-26 22:41".
std::string minute_of(const std::string& rfc3339_text) {
  if (rfc3339_text.size() < 16) return rfc3339_text;
  return rfc3339_text.substr(0, 10) + " " + rfc3339_text.substr(11, 5);
}

long long count_of(const json& counts, const char* key) {
  if (!counts.is_object()) return 0;
  auto it = counts.find(key);
  return it != counts.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

int job_list(Context& ctx, const JobFlags& f) {
  // limit and offset are always sent, so --limit 0 means "all" (spec/cli.md §15).
  std::string path =
      "/job?limit=" + std::to_string(f.limit) + "&offset=" + std::to_string(f.offset);
  if (!f.status.empty()) path += "&status=" + url_encode(f.status);
  Reply page = call(ctx, "GET", path, true);
  if (page.status >= 400) api_error(ctx, page);
  Reply stats = call(ctx, "GET", "/job/status", true);
  if (stats.status >= 400) api_error(ctx, stats);

  const json jobs = page.doc.is_object() ? page.doc.value("items", json::array()) : json::array();
  const long long total = page.doc.is_object() ? page.doc.value("total_items", 0LL) : 0;
  const json counts =
      stats.doc.is_object() ? stats.doc.value("status_counts", json::object()) : json::object();
  if (ctx.json) {
    nlohmann::json out;  // sorted keys
    out["displayed_jobs"] = jobs.size();
    out["filter_applied"] = !f.status.empty();
    out["jobs"] = nlohmann::json::parse(jobs.dump());
    out["limit_applied"] = f.limit > 0;
    out["offset_applied"] = f.offset;
    out["status_counts"] = nlohmann::json::parse(counts.dump());
    out["total_jobs"] = total;
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  const std::string showing =
      f.status.empty() ? "All jobs" : f.status + " (" + std::to_string(total) + ")";
  std::string out = kv_line({{"Total", std::to_string(total)}, {"Showing", showing}}, ctx.style);
  out += kv_line({{"Submitted", std::to_string(count_of(counts, "submitted"))},
                  {"Completed", std::to_string(count_of(counts, "completed"))},
                  {"Failed", std::to_string(count_of(counts, "failed"))},
                  {"Partial", std::to_string(count_of(counts, "partial_failure"))}},
                 ctx.style);
  const bool page_full = f.limit > 0 && static_cast<long long>(jobs.size()) >= f.limit;
  if (f.offset > 0 || page_full)
    out += kv_line(
        {{"Filter", "offset " + std::to_string(f.offset) + ", limit " + std::to_string(f.limit)}},
        ctx.style);
  Table t{{"JOB ID", "STATUS", "CREATED", "TARGET", "OPERATION"}, {}};
  for (const auto& item : jobs) {
    const json op = item.value("operation", json::object());
    const std::string type = str(op, "type");
    t.rows.push_back({str(item, "id"), str(item, "status"), minute_of(str(item, "created")),
                      str(item, "hostname"), type.empty() ? "Unknown" : type});
  }
  out += section("Jobs", t, ctx.style);
  std::fputs(out.c_str(), stdout);
  return 0;
}

int job_run(Context& ctx, const JobFlags& f) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(f.timeout_seconds);
  const json op = read_operation(f.json_file);
  Reply created = submit_job(ctx, op, f.target_hostname);
  const std::string id = str(created.doc, "job_id");
  if (!is_uuid(id)) throw CommandError{"API returned no job ID"};
  if (!ctx.json) logging::info("job submitted, polling for completion", {{"job_id", id}});
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(f.poll_interval_seconds > 0 ? f.poll_interval_seconds : 0.1));
  while (true) {
    Reply r = call(ctx, "GET", "/job/" + id, true);
    if (r.status >= 400) api_error(ctx, r);
    const std::string status = str(r.doc, "status");
    if (status == "completed" || status == "failed" || status == "partial_failure") {
      if (ctx.json)
        print_json_body(r);
      else
        std::fputs(job_detail(r.doc, ctx.style).c_str(), stdout);
      if (status != "completed")
        throw CommandError{"job " + id + " finished with status " + status};
      return 0;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      throw CommandError{"job " + id + " did not finish within " +
                         std::to_string(f.timeout_seconds) + "s"};
    std::this_thread::sleep_for(std::min(interval, deadline - now));
  }
}

// The queue view of `job status`.
std::string queue_view(const json& stats, const Style& style) {
  const long long total = stats.is_object() ? stats.value("total_jobs", 0LL) : 0;
  if (total == 0) return "Job queue is empty (0 jobs total)\n";
  const json counts = stats.value("status_counts", json::object());
  std::string out = "\n  Jobs Queue Status\n\n";
  out += kv_line({{"Total Jobs", std::to_string(total)}}, style);
  out += kv_line({{"Unprocessed", std::to_string(count_of(counts, "submitted"))},
                  {"Processing", std::to_string(count_of(counts, "processing"))},
                  {"Completed", std::to_string(count_of(counts, "completed"))},
                  {"Failed", std::to_string(count_of(counts, "failed"))}},
                 style);
  const long long dlq = stats.value("dlq_count", 0LL);
  if (dlq > 0) out += kv_line({{"Dead Letter Queue", std::to_string(dlq)}}, style);
  Table ops{{"OPERATION", "COUNT"}, {}};
  const json op_counts = stats.value("operation_counts", json::object());
  for (const auto& [type, n] : op_counts.items()) ops.rows.push_back({type, n.dump()});
  if (!ops.rows.empty()) out += section("Operations", ops, style);
  out += "\n" + kv_line({{"Last Updated", rfc1123(Clock::now())}}, style);
  return out;
}

// Raw terminal input for the live view, restored on scope exit (also on exceptions).
class RawTerminal {
 public:
  RawTerminal() {
    ok_ = ::tcgetattr(STDIN_FILENO, &saved_) == 0;
    if (!ok_) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG);  // Ctrl-C arrives as a byte
    ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  ~RawTerminal() {
    if (ok_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

  // Waits up to `timeout` for a key; true when it asks to quit ('q' or Ctrl-C).
  bool quit_requested(std::chrono::milliseconds timeout) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char c = 0;
    if (::read(STDIN_FILENO, &c, 1) != 1) return true;  // stdin closed
    return c == 'q' || c == 'Q' || c == 3;
  }

 private:
  termios saved_{};
  bool ok_ = false;
};

int job_status(Context& ctx, const JobFlags& f) {
  auto fetch = [&ctx] {
    Reply r = call(ctx, "GET", "/job/status", true);
    if (r.status >= 400) api_error(ctx, r);
    return r;
  };
  if (ctx.json) {
    print_json_body(fetch());
    return 0;
  }
  if (::isatty(STDOUT_FILENO) != 1 || ::isatty(STDIN_FILENO) != 1) {
    std::fputs(queue_view(fetch().doc, ctx.style).c_str(), stdout);
    return 0;
  }
  RawTerminal term;
  const auto interval = std::chrono::seconds(f.status_poll_seconds > 0 ? f.status_poll_seconds : 1);
  while (true) {
    const std::string view = queue_view(fetch().doc, ctx.style);
    std::fputs(("\033[H\033[2J" + view + "\n  Press q to quit\n").c_str(), stdout);
    std::fflush(stdout);
    if (term.quit_requested(std::chrono::duration_cast<std::chrono::milliseconds>(interval)))
      return 0;
  }
}

}  // namespace

void add_job_commands(CommandEnv& env) {
  static JobFlags flags;
  auto* job = env.client->add_subcommand("job", "jobs");
  job->fallthrough();
  require_leaf(job);
  using Body = int (*)(Context&, const JobFlags&);
  auto leaf = [&env, job](const char* name, const char* help, Body body) {
    auto* cmd = job->add_subcommand(name, help);
    cmd->callback([&env, name, body] {
      env.client_command(std::string("client job ") + name, config::Command::kClientAuthenticated,
                         [body](Context& c) { return body(c, flags); });
    });
    return cmd;
  };

  auto* add = leaf("add", "submit a job from a JSON operation file", job_add);
  add->add_option("--json-file", flags.json_file, "operation JSON file")->required();
  add->add_option("--target-hostname", flags.target_hostname, "target")->required();

  auto* get = leaf("get", "one job", job_get);
  get->add_option("--job-id", flags.job_id, "job id")->required();

  auto* del = leaf("delete", "delete a job", job_delete);
  del->add_option("--job-id", flags.job_id, "job id")->required();

  auto* list = leaf("list", "jobs, newest first", job_list);
  list->add_option("--status", flags.status,
                   "submitted|processing|completed|failed|partial_failure");
  list->add_option("--limit", flags.limit, "page size (0 = all)")->capture_default_str();
  list->add_option("--offset", flags.offset, "jobs to skip")->capture_default_str();

  auto* retry = leaf("retry", "run a job again as a new job", job_retry);
  retry->add_option("--job-id", flags.job_id, "job id")->required();
  retry->add_option("--target-hostname", flags.target_hostname, "target")->capture_default_str();

  auto* run = leaf("run", "submit a job and wait for its result", job_run);
  run->add_option("--json-file", flags.json_file, "operation JSON file")->required();
  run->add_option("--target-hostname", flags.target_hostname, "target")->capture_default_str();
  run->add_option("-t,--timeout", flags.timeout_seconds, "seconds to wait")->capture_default_str();
  run->add_option("-p,--poll-interval", flags.poll_interval_seconds, "seconds between polls")
      ->capture_default_str();

  auto* status = leaf("status", "queue statistics", job_status);
  status->add_option("--poll-interval-seconds", flags.status_poll_seconds, "refresh interval")
      ->capture_default_str();
}

}  // namespace osapi::cli
