// One node-scoped operation (`/api/node/{hostname}/…`): every such route is the same shape —
// bind the body, authorize, resolve the target, validate, publish one job, collect the
// per-host results — so each operation is a description and one runner answers them all.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "api/validators.h"
#include "http/request.h"
#include "http/response.h"
#include "job/model.h"
#include "job/subjects.h"

namespace osapi::api {

// How a result item carries `changed`.
enum class ChangedRule {
  kReadOnly,       // ok items: false; failed/skipped items: absent
  kMissingIsTrue,  // the agent's value, true when it sent none; failed/skipped items: false
  kReported,       // the agent's value (response, else the result's "changed"), else absent
};

// Job data built from a validated request, or the 400 to answer.
using BuildResult = std::variant<nlohmann::ordered_json, http::Response>;

struct NodeOperation {
  NodeOperation(const char* method_, const char* path_, const char* operation_id_,
                const char* permission_, const char* job_type_, job::OpKind kind_,
                int success_code_, ChangedRule changed_, const char* body_type_ = "",
                std::vector<BodyField> body_fields_ = {})
      : method(method_),
        path(path_),
        operation_id(operation_id_),
        permission(permission_),
        job_type(job_type_),
        kind(kind_),
        success_code(success_code_),
        changed(changed_),
        body_type(body_type_),
        body_fields(std::move(body_fields_)) {}

  const char* method;
  const char* path;  // under /api
  const char* operation_id;
  const char* permission;
  const char* job_type;  // e.g. node.hostname.get
  job::OpKind kind;
  int success_code;
  ChangedRule changed;
  // The JSON body: its Go type name for decode errors and the typed fields; no fields = no
  // body is read.
  const char* body_type;
  std::vector<BodyField> body_fields;
  // Path/body validation → job data; null = `{}`.
  std::function<BuildResult(const http::Request&, const nlohmann::json& body)> build;
  // Domain fields of an `ok` item from the agent's result data.
  std::function<void(const job::JobResponse&, nlohmann::json& item)> fields;
  // How long to wait for agents, given the job data and controller.api.job_timeout (null =
  // the timeout).
  std::function<std::chrono::nanoseconds(const nlohmann::ordered_json& data,
                                         std::chrono::nanoseconds timeout)>
      wait_for;
};

// Every node-scoped operation, in route order.
const std::vector<NodeOperation>& node_operations();
// The operation (and so the permission) that publishes a job type; nullptr when none does.
const NodeOperation* operation_for_job_type(std::string_view job_type);

// Answers one request for `op`.
http::Response run_node_operation(ApiContext& ctx, http::Request& req, const NodeOperation& op);

// The {hostname} path parameter as a target: parsed, validated against the registry
// (hostname, machine id, _any, _all, key:value) and, for a single host, resolved to its
// machine id. The 400 answer otherwise.
std::variant<job::Target, http::Response> bind_node_target(const http::Request& req,
                                                           ApiContext& ctx);

// Parts the operation tables share.
std::string string_of(const nlohmann::ordered_json& obj, const char* key);
void copy_string_list(const nlohmann::ordered_json& from, const char* from_key,
                      nlohmann::json& item, const char* to_key);
int64_t bytes_of(const nlohmann::ordered_json& obj, const char* key);

// The validator failure "Key: '<type>.<field>' Error:Field validation for '<field>' failed on
// the '<tag>' tag" as a 400 response.
http::Response field_violation(const std::string& type, const std::string& field,
                               const std::string& tag);

}  // namespace osapi::api
