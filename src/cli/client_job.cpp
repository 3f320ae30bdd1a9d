// client job list | get | delete | retry. Jobs are created by the node commands; these only
// read, remove and re-run them.
#include <cstdio>

#include "cli/api_call.h"
#include "cli/client_views.h"
#include "cli/command_env.h"
#include "common/ids.h"
#include "common/strings.h"
#include "common/time.h"
#include "logging/logger.h"

namespace osapi::cli {

namespace {

void require_uuid(const std::string& id) {
  if (!is_uuid(id)) throw CommandError{"invalid job ID: " + id + " is not a valid UUID"};
}

// "2026-02-26T22:41:07Z" → "2026-02-26 22:41".
std::string minute_of(const std::string& rfc3339_text) {
  if (rfc3339_text.size() < 16) return rfc3339_text;
  return rfc3339_text.substr(0, 10) + " " + rfc3339_text.substr(11, 5);
}

long long count_of(const Json& counts, const char* key) {
  return integer(counts, key).value_or(0);
}

// A titled, untruncated JSON block: "  <title>:" and the pretty JSON, indented two spaces.
std::string json_block(const std::string& title, const Json& value) {
  std::string out = "\n  " + title + ":\n";
  for (const auto& line : split(value.dump(2, ' ', false, Json::error_handler_t::replace), '\n'))
    out += "  " + line + "\n";
  return out;
}

}  // namespace

std::string view_job_list(const Json& page, const JobListRequest& req, const Style& style) {
  const Json jobs = array(page, "items");
  const long long total =
      integer(page, "total_items").value_or(static_cast<long long>(jobs.size()));
  const Json counts = object(page, "status_counts");
  const std::string showing =
      req.status.empty() ? "All jobs" : req.status + " (" + std::to_string(total) + ")";
  std::string out = "\n" + kv_line({{"Total", std::to_string(total)}, {"Showing", showing}}, style);
  out += kv_line({{"Submitted", std::to_string(count_of(counts, "submitted"))},
                  {"Completed", std::to_string(count_of(counts, "completed"))},
                  {"Failed", std::to_string(count_of(counts, "failed"))},
                  {"Partial", std::to_string(count_of(counts, "partial_failure"))}},
                 style);
  const bool page_full = req.limit > 0 && static_cast<long long>(jobs.size()) >= req.limit;
  if (req.offset > 0 || page_full)
    out += kv_line({{"Filter", "offset " + std::to_string(req.offset) + ", limit " +
                                   std::to_string(req.limit)}},
                   style);
  Table t{{"JOB ID", "STATUS", "CREATED", "TARGET", "OPERATION"}, {}};
  for (const auto& item : jobs) {
    const std::string type = str(object(item, "operation"), "type");
    t.rows.push_back({str(item, "id"), str(item, "status"), minute_of(str(item, "created")),
                      str(item, "hostname"), type.empty() ? "Unknown" : type});
  }
  return out + section("Jobs", t, style);
}

std::string job_list_json(const Json& page, const JobListRequest& req) {
  const Json jobs = array(page, "items");
  nlohmann::json out;  // std::map keys: sorted
  out["displayed_jobs"] = jobs.size();
  out["filter_applied"] = !req.status.empty();
  out["jobs"] = nlohmann::json::parse(jobs.dump(-1, ' ', false, Json::error_handler_t::replace));
  out["limit_applied"] = req.limit > 0;
  out["offset_applied"] = req.offset;
  out["status_counts"] = nlohmann::json::parse(object(page, "status_counts").dump());
  out["total_jobs"] = integer(page, "total_items").value_or(static_cast<long long>(jobs.size()));
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string view_job_detail(const Json& j, const Style& style) {
  std::string out = "\n" + kv_line({{"Job ID", str(j, "id")}, {"Status", str(j, "status")}}, style);
  const std::pair<const char*, const char*> lines[] = {{"hostname", "Hostname"},
                                                       {"created", "Created"},
                                                       {"updated_at", "Updated At"},
                                                       {"error", "Error"},
                                                       {"trace_id", "Trace ID"}};
  for (const auto& [key, label] : lines)
    if (const std::string v = str(j, key); !v.empty()) out += kv_line({{label, v}}, style);
  const Json states = object(j, "agent_states");
  if (states.size() > 1) {
    int done = 0, failed = 0, skipped = 0, processing = 0;
    for (const auto& [h, st] : states.items()) {
      const std::string s = str(st, "status");
      if (s == "completed")
        ++done;
      else if (s == "failed")
        ++failed;
      else if (s == "skipped")
        ++skipped;
      else
        ++processing;
    }
    std::string summary = std::to_string(states.size()) + " total (" + std::to_string(done) +
                          " completed, " + std::to_string(failed) + " failed, " +
                          std::to_string(processing) + " processing";
    if (skipped > 0) summary += ", " + std::to_string(skipped) + " skipped";
    out += kv_line({{"Agents", summary + ")"}}, style);
  }
  if (j.contains("operation")) out += json_block("Job Request", j["operation"]);

  const Json responses = object(j, "responses");
  if (!responses.empty()) {
    Table t{{"HOSTNAME", "STATUS", "DATA", "ERROR"}, {}};
    for (const auto& [h, resp] : responses.items())
      t.rows.push_back({h, str(resp, "status"),
                        resp.contains("data") && !resp["data"].is_null()
                            ? resp["data"].dump(-1, ' ', false, Json::error_handler_t::replace)
                            : "(no data)",
                        str(resp, "error")});
    out += section("Agent Responses", t, style);
  }
  if (!states.empty()) {
    Table t{{"HOSTNAME", "STATUS", "DURATION", "ERROR"}, {}};
    for (const auto& [h, st] : states.items())
      t.rows.push_back({h, str(st, "status"), str(st, "duration"), str(st, "error")});
    out += section("Agent States", t, style);
  }
  Table timeline{{"TIMESTAMP", "EVENT", "HOSTNAME", "MESSAGE", "ERROR"}, {}};
  for (const auto& e : array(j, "timeline"))
    timeline.rows.push_back({str(e, "timestamp"), str(e, "event"), str(e, "hostname"),
                             str(e, "message"), str(e, "error")});
  if (timeline.rows.empty()) timeline.rows.push_back({"No events"});
  out += section("Timeline", timeline, style);
  if (j.contains("result") && !j["result"].is_null()) out += json_block("Job Result", j["result"]);
  return out;
}

std::string view_job_created(const Json& body, const Style& style) {
  const auto revision = integer(body, "revision");
  std::string out =
      "\n" + kv_line({{"Job ID", str(body, "job_id")}, {"Status", str(body, "status")}}, style);
  return out + kv_line({{"Revision", revision ? std::to_string(*revision) : ""}}, style);
}

namespace {

// GET /api/job. A limit of 0 means every job: the server caps a page at 100, so the list is
// fetched page by page and returned as one body.
Json fetch_jobs(Context& ctx, const JobListRequest& req) {
  auto page_at = [&ctx, &req](long long limit, long long offset) {
    std::string path =
        "/api/job?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
    if (!req.status.empty()) path += "&status=" + url_encode(req.status);
    return call_ok(ctx, "GET", path, true).doc;
  };
  if (req.limit != 0) return page_at(req.limit, req.offset);
  constexpr long long kPage = 100;
  Json first = page_at(kPage, req.offset);
  if (!first.is_object()) return first;
  Json items = array(first, "items");
  const long long total = integer(first, "total_items").value_or(0);
  for (long long offset = req.offset + kPage;
       offset < total && static_cast<long long>(items.size()) == offset - req.offset;
       offset += kPage) {
    const Json more = array(page_at(kPage, offset), "items");
    if (more.empty()) break;
    for (const auto& item : more) items.push_back(item);
  }
  first["items"] = items;
  return first;
}

}  // namespace

void add_job_commands(CommandEnv& env) {
  CLI::App* job = add_group(env.client, "job", "jobs the node commands created");
  const auto kind = config::Command::kClientAuthenticated;

  auto& list_req = env.hold<JobListRequest>();
  CLI::App* list = env.add_leaf(job, "list", "jobs, newest first", kind, [&list_req](Context& ctx) {
    const Json page = fetch_jobs(ctx, list_req);
    if (ctx.json) {
      std::printf("%s\n", job_list_json(page, list_req).c_str());
    } else {
      std::fputs(view_job_list(page, list_req, ctx.style).c_str(), stdout);
    }
    return 0;
  });
  list->add_option("--status", list_req.status,
                   "submitted|processing|completed|failed|partial_failure");
  list->add_option("--limit", list_req.limit, "jobs per page (1-100; 0 = every job)")
      ->capture_default_str();
  list->add_option("--offset", list_req.offset, "jobs to skip")->capture_default_str();

  auto& get_id = env.hold<std::string>();
  CLI::App* get = env.add_leaf(job, "get", "one job in detail", kind, [&get_id](Context& ctx) {
    require_uuid(get_id);
    show(ctx, call_ok(ctx, "GET", "/api/job/" + get_id, true), view_job_detail);
    return 0;
  });
  get->add_option("--job-id", get_id, "job id")->required();

  auto& del_id = env.hold<std::string>();
  CLI::App* del = env.add_leaf(job, "delete", "delete a job", kind, [&del_id](Context& ctx) {
    require_uuid(del_id);
    call_ok(ctx, "DELETE", "/api/job/" + del_id, true);
    if (ctx.json) {
      std::printf(
          "%s\n",
          Json{{"job_id", del_id}, {"status", "deleted"}, {"timestamp", rfc3339(Clock::now())}}
              .dump()
              .c_str());
    } else {
      std::fputs(("\n" + kv_line({{"Job ID", del_id}, {"Status", "Deleted"}}, ctx.style)).c_str(),
                 stdout);
    }
    return 0;
  });
  del->add_option("--job-id", del_id, "job id")->required();

  auto& retry_id = env.hold<std::string>();
  auto& retry_target = env.hold<std::string>("_any");
  CLI::App* retry = env.add_leaf(
      job, "retry", "run a job again as a new job", kind, [&retry_id, &retry_target](Context& ctx) {
        require_uuid(retry_id);
        Reply r = call_ok(ctx, "POST", "/api/job/" + retry_id + "/retry", true,
                          Json{{"target_hostname", retry_target}}.dump());
        show(ctx, r, view_job_created);
        if (!ctx.json)
          logging::info("job created successfully", {{"job_id", str(r.doc, "job_id")}});
        return 0;
      });
  retry->add_option("--job-id", retry_id, "job id")->required();
  retry->add_option("--target-hostname", retry_target, "target of the new job")
      ->capture_default_str();
}

}  // namespace osapi::cli
