// The RBAC table against the real ApiServer and a real nats-server: every route the router
// holds × each of the 36 permissions (a direct permissions claim), the built-in roles, a custom
// role and the tokens that must not authenticate. Requests are chosen to stop right after auth
// (an unknown target, a job id that does not exist), so no job is created and only the auth
// outcome is observed: anything but 401/403 counts as "authorized".
#include <map>
#include <set>

#include "api/handlers.h"
#include "api/node_operation.h"
#include "auth/permissions.h"
#include "auth_fixture.h"

using namespace osapi;
using namespace osapi::api::auth_testing;

namespace {

constexpr const char* kUuid = "550e8400-e29b-41d4-a716-446655440000";

struct SpecOperation {
  std::string method, path, operation_id, permission;
};

// The upstream permission of every authenticated operation, written out from the upstream
// permission table independently of src/; the routes we serve must agree with it.
const std::vector<SpecOperation>& spec_operations() {
  static const std::vector<SpecOperation> ops = {
      {"GET", "/api/agent", "getAgents", "agent:read"},
      {"GET", "/api/agent/{hostname}", "getAgentDetails", "agent:read"},
      {"GET", "/api/agent/pending", "getAgentsPending", "agent:read"},
      {"GET", "/api/facts/keys", "GetFactKeys", "agent:read"},
      {"POST", "/api/agent/{hostname}/accept", "acceptAgent", "agent:write"},
      {"POST", "/api/agent/{hostname}/reject", "rejectAgent", "agent:write"},
      {"POST", "/api/agent/{hostname}/drain", "drainAgent", "agent:write"},
      {"POST", "/api/agent/{hostname}/undrain", "undrainAgent", "agent:write"},
      {"GET", "/api/node/{hostname}", "GetNodeStatus", "node:read"},
      {"GET", "/api/node/{hostname}/disk", "GetNodeDisk", "node:read"},
      {"GET", "/api/node/{hostname}/memory", "GetNodeMemory", "node:read"},
      {"GET", "/api/node/{hostname}/load", "GetNodeLoad", "node:read"},
      {"GET", "/api/node/{hostname}/os", "GetNodeOS", "node:read"},
      {"GET", "/api/node/{hostname}/uptime", "GetNodeUptime", "node:read"},
      {"GET", "/api/node/{hostname}/hostname", "GetNodeHostname", "node:read"},
      {"PUT", "/api/node/{hostname}/hostname", "PutNodeHostname", "node:write"},
      {"GET", "/api/node/{hostname}/network/dns/{interfaceName}", "GetNodeNetworkDNSByInterface",
       "network:read"},
      {"GET", "/api/node/{hostname}/network/interface", "GetNodeNetworkInterface", "network:read"},
      {"GET", "/api/node/{hostname}/network/interface/{name}", "GetNodeNetworkInterfaceByName",
       "network:read"},
      {"GET", "/api/node/{hostname}/network/route", "GetNodeNetworkRoute", "network:read"},
      {"GET", "/api/node/{hostname}/network/route/{interfaceName}",
       "GetNodeNetworkRouteByInterface", "network:read"},
      {"POST", "/api/node/{hostname}/network/ping", "PostNodeNetworkPing", "network:write"},
      {"PUT", "/api/node/{hostname}/network/dns", "PutNodeNetworkDNS", "network:write"},
      {"DELETE", "/api/node/{hostname}/network/dns", "DeleteNodeNetworkDNS", "network:write"},
      {"POST", "/api/node/{hostname}/network/interface/{name}", "PostNodeNetworkInterface",
       "network:write"},
      {"PUT", "/api/node/{hostname}/network/interface/{name}", "PutNodeNetworkInterface",
       "network:write"},
      {"DELETE", "/api/node/{hostname}/network/interface/{name}", "DeleteNodeNetworkInterface",
       "network:write"},
      {"POST", "/api/node/{hostname}/network/route/{interfaceName}", "PostNodeNetworkRoute",
       "network:write"},
      {"PUT", "/api/node/{hostname}/network/route/{interfaceName}", "PutNodeNetworkRoute",
       "network:write"},
      {"DELETE", "/api/node/{hostname}/network/route/{interfaceName}", "DeleteNodeNetworkRoute",
       "network:write"},
      {"GET", "/api/job", "getJobs", "job:read"},
      {"GET", "/api/job/{id}", "GetJobByID", "job:read"},
      {"DELETE", "/api/job/{id}", "DeleteJobByID", "job:write"},
      {"POST", "/api/job/{id}/retry", "RetryJobByID", "job:write"},
      {"GET", "/api/health/status", "GetHealthStatus", "health:read"},
      {"GET", "/api/audit", "GetAuditLogs", "audit:read"},
      {"GET", "/api/audit/export", "GetAuditExport", "audit:read"},
      {"GET", "/api/audit/{id}", "GetAuditLogByID", "audit:read"},
      {"POST", "/api/node/{hostname}/command/exec", "PostNodeCommandExec", "command:execute"},
      {"POST", "/api/node/{hostname}/command/shell", "PostNodeCommandShell", "command:execute"},
      {"GET", "/api/file", "GetFiles", "file:read"},
      {"GET", "/api/file/stale", "GetFileStale", "file:read"},
      {"GET", "/api/file/{name}", "GetFileByName", "file:read"},
      {"POST", "/api/node/{hostname}/file/status", "PostNodeFileStatus", "file:read"},
      {"POST", "/api/file", "PostFile", "file:write"},
      {"DELETE", "/api/file/{name}", "DeleteFileByName", "file:write"},
      {"POST", "/api/node/{hostname}/file/deploy", "PostNodeFileDeploy", "file:write"},
      {"POST", "/api/node/{hostname}/file/undeploy", "PostNodeFileUndeploy", "file:write"},
      {"GET", "/api/node/{hostname}/container/docker", "GetNodeContainerDocker", "docker:read"},
      {"GET", "/api/node/{hostname}/container/docker/{id}", "GetNodeContainerDockerByID",
       "docker:read"},
      {"POST", "/api/node/{hostname}/container/docker", "PostNodeContainerDocker", "docker:write"},
      {"DELETE", "/api/node/{hostname}/container/docker/{id}", "DeleteNodeContainerDockerByID",
       "docker:write"},
      {"POST", "/api/node/{hostname}/container/docker/{id}/start", "PostNodeContainerDockerStart",
       "docker:write"},
      {"POST", "/api/node/{hostname}/container/docker/{id}/stop", "PostNodeContainerDockerStop",
       "docker:write"},
      {"DELETE", "/api/node/{hostname}/container/docker/image/{image}",
       "DeleteNodeContainerDockerImage", "docker:write"},
      {"POST", "/api/node/{hostname}/container/docker/pull", "PostNodeContainerDockerPull",
       "docker:write"},
      {"POST", "/api/node/{hostname}/container/docker/{id}/exec", "PostNodeContainerDockerExec",
       "docker:execute"},
      {"GET", "/api/node/{hostname}/schedule/cron", "GetNodeScheduleCron", "cron:read"},
      {"GET", "/api/node/{hostname}/schedule/cron/{name}", "GetNodeScheduleCronByName",
       "cron:read"},
      {"POST", "/api/node/{hostname}/schedule/cron", "PostNodeScheduleCron", "cron:write"},
      {"PUT", "/api/node/{hostname}/schedule/cron/{name}", "PutNodeScheduleCron", "cron:write"},
      {"DELETE", "/api/node/{hostname}/schedule/cron/{name}", "DeleteNodeScheduleCron",
       "cron:write"},
      {"GET", "/api/node/{hostname}/sysctl", "GetNodeSysctl", "sysctl:read"},
      {"GET", "/api/node/{hostname}/sysctl/{key}", "GetNodeSysctlByKey", "sysctl:read"},
      {"POST", "/api/node/{hostname}/sysctl", "PostNodeSysctl", "sysctl:write"},
      {"PUT", "/api/node/{hostname}/sysctl/{key}", "PutNodeSysctl", "sysctl:write"},
      {"DELETE", "/api/node/{hostname}/sysctl/{key}", "DeleteNodeSysctl", "sysctl:write"},
      {"GET", "/api/node/{hostname}/ntp", "GetNodeNtp", "ntp:read"},
      {"POST", "/api/node/{hostname}/ntp", "PostNodeNtp", "ntp:write"},
      {"PUT", "/api/node/{hostname}/ntp", "PutNodeNtp", "ntp:write"},
      {"DELETE", "/api/node/{hostname}/ntp", "DeleteNodeNtp", "ntp:write"},
      {"GET", "/api/node/{hostname}/timezone", "GetNodeTimezone", "timezone:read"},
      {"PUT", "/api/node/{hostname}/timezone", "PutNodeTimezone", "timezone:write"},
      {"POST", "/api/node/{hostname}/power/reboot", "PostNodePowerReboot", "power:execute"},
      {"POST", "/api/node/{hostname}/power/shutdown", "PostNodePowerShutdown", "power:execute"},
      {"GET", "/api/node/{hostname}/process", "GetNodeProcess", "process:read"},
      {"GET", "/api/node/{hostname}/process/{pid}", "GetNodeProcessByPid", "process:read"},
      {"POST", "/api/node/{hostname}/process/{pid}/signal", "PostNodeProcessSignal",
       "process:execute"},
      {"GET", "/api/node/{hostname}/user", "GetNodeUser", "user:read"},
      {"GET", "/api/node/{hostname}/user/{name}", "GetNodeUserByName", "user:read"},
      {"GET", "/api/node/{hostname}/user/{name}/ssh-key", "GetNodeUserSSHKey", "user:read"},
      {"GET", "/api/node/{hostname}/group", "GetNodeGroup", "user:read"},
      {"GET", "/api/node/{hostname}/group/{name}", "GetNodeGroupByName", "user:read"},
      {"POST", "/api/node/{hostname}/user", "PostNodeUser", "user:write"},
      {"PUT", "/api/node/{hostname}/user/{name}", "PutNodeUser", "user:write"},
      {"DELETE", "/api/node/{hostname}/user/{name}", "DeleteNodeUser", "user:write"},
      {"POST", "/api/node/{hostname}/user/{name}/password", "PostNodeUserPassword", "user:write"},
      {"POST", "/api/node/{hostname}/user/{name}/ssh-key", "PostNodeUserSSHKey", "user:write"},
      {"DELETE", "/api/node/{hostname}/user/{name}/ssh-key/{fingerprint}", "DeleteNodeUserSSHKey",
       "user:write"},
      {"POST", "/api/node/{hostname}/group", "PostNodeGroup", "user:write"},
      {"PUT", "/api/node/{hostname}/group/{name}", "PutNodeGroup", "user:write"},
      {"DELETE", "/api/node/{hostname}/group/{name}", "DeleteNodeGroup", "user:write"},
      {"GET", "/api/node/{hostname}/package", "GetNodePackage", "package:read"},
      {"GET", "/api/node/{hostname}/package/{name}", "GetNodePackageByName", "package:read"},
      {"GET", "/api/node/{hostname}/package/update", "GetNodePackageUpdate", "package:read"},
      {"POST", "/api/node/{hostname}/package", "PostNodePackage", "package:write"},
      {"DELETE", "/api/node/{hostname}/package/{name}", "DeleteNodePackage", "package:write"},
      {"POST", "/api/node/{hostname}/package/update", "PostNodePackageUpdate", "package:write"},
      {"GET", "/api/node/{hostname}/log", "GetNodeLog", "log:read"},
      {"GET", "/api/node/{hostname}/log/source", "GetNodeLogSource", "log:read"},
      {"GET", "/api/node/{hostname}/log/unit/{name}", "GetNodeLogUnit", "log:read"},
      {"GET", "/api/node/{hostname}/certificate/ca", "GetNodeCertificateCa", "certificate:read"},
      {"POST", "/api/node/{hostname}/certificate/ca", "PostNodeCertificateCa", "certificate:write"},
      {"PUT", "/api/node/{hostname}/certificate/ca/{name}", "PutNodeCertificateCa",
       "certificate:write"},
      {"DELETE", "/api/node/{hostname}/certificate/ca/{name}", "DeleteNodeCertificateCa",
       "certificate:write"},
      {"GET", "/api/node/{hostname}/service", "GetNodeService", "service:read"},
      {"GET", "/api/node/{hostname}/service/{name}", "GetNodeServiceByName", "service:read"},
      {"POST", "/api/node/{hostname}/service", "PostNodeService", "service:write"},
      {"PUT", "/api/node/{hostname}/service/{name}", "PutNodeService", "service:write"},
      {"DELETE", "/api/node/{hostname}/service/{name}", "DeleteNodeService", "service:write"},
      {"POST", "/api/node/{hostname}/service/{name}/start", "PostNodeServiceStart",
       "service:write"},
      {"POST", "/api/node/{hostname}/service/{name}/stop", "PostNodeServiceStop", "service:write"},
      {"POST", "/api/node/{hostname}/service/{name}/restart", "PostNodeServiceRestart",
       "service:write"},
      {"POST", "/api/node/{hostname}/service/{name}/enable", "PostNodeServiceEnable",
       "service:write"},
      {"POST", "/api/node/{hostname}/service/{name}/disable", "PostNodeServiceDisable",
       "service:write"},
  };
  return ops;
}

const SpecOperation* spec_for(const std::string& method, const std::string& path) {
  for (const auto& op : spec_operations())
    if (op.method == method && op.path == path) return &op;
  return nullptr;
}

// The 36 permissions and the built-in roles (admin 36, write 30, read 17).
const std::vector<std::string> kPermissions = {
    "agent:read",      "agent:write",     "node:read",        "node:write",        "network:read",
    "network:write",   "job:read",        "job:write",        "health:read",       "audit:read",
    "command:execute", "file:read",       "file:write",       "docker:read",       "docker:write",
    "docker:execute",  "cron:read",       "cron:write",       "sysctl:read",       "sysctl:write",
    "ntp:read",        "ntp:write",       "timezone:read",    "timezone:write",    "power:execute",
    "process:read",    "process:execute", "user:read",        "user:write",        "package:read",
    "package:write",   "log:read",        "certificate:read", "certificate:write", "service:read",
    "service:write"};

std::set<std::string> admin_permissions() {
  return {kPermissions.begin(), kPermissions.end()};
}
std::set<std::string> write_permissions() {
  std::set<std::string> out = admin_permissions();
  for (const char* p : {"agent:write", "audit:read", "command:execute", "docker:execute",
                        "power:execute", "process:execute"})
    out.erase(p);
  return out;
}
std::set<std::string> read_permissions() {
  return {"agent:read",       "node:read",    "network:read", "job:read",     "health:read",
          "file:read",        "docker:read",  "cron:read",    "sysctl:read",  "ntp:read",
          "timezone:read",    "process:read", "user:read",    "package:read", "log:read",
          "certificate:read", "service:read"};
}

// A custom role under a name of its own.
const std::set<std::string> kOps = {"node:read", "job:read"};

struct Route {
  std::string method, path_template, operation_id, permission;
  std::string path;  // concrete request target
  std::string body;  // "" = no body
};

// A concrete path for a template: parameters get values that pass binding (so the token is
// looked at) but name nothing that exists (so nothing runs).
std::string concrete(const std::string& path_template) {
  std::string out;
  for (size_t i = 0; i < path_template.size();) {
    if (path_template[i] != '{') {
      out += path_template[i++];
      continue;
    }
    const size_t end = path_template.find('}', i);
    const std::string name = path_template.substr(i + 1, end - i - 1);
    out += name == "id" ? kUuid : name == "pid" ? "1" : "rbac-probe";
    i = end + 1;
  }
  return out;
}

// Every route the real register_routes() adds (audit enabled), as the router holds it.
std::vector<Route> router_routes(const config::Config& cfg) {
  api::ApiContext ctx;  // the handlers are never called
  ctx.cfg = cfg;
  ctx.audit = std::make_shared<api::AuditLog>(nullptr);
  http::Router router;
  api::register_routes(router, ctx);
  std::vector<Route> out;
  for (const auto& e : router.routes()) {
    Route r{e.method,          e.path_template,           e.info.operation_id,
            e.info.permission, concrete(e.path_template), ""};
    if (r.method == "POST" || r.method == "PUT" ||
        (r.method == "DELETE" && r.path_template.starts_with("/api/node/")))
      r.body = "{}";
    out.push_back(std::move(r));
  }
  return out;
}

struct TokenCase {
  std::string name;
  std::string authorization;      // whole header value
  std::set<std::string> granted;  // resolved permissions when authenticated
  bool authenticated = true;      // false → 401 on every protected route
  std::string reason;             // 401 body substring
};

std::string unsigned_alg_none() {
  const std::string header = auth::base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const std::string payload =
      auth::base64url_encode(R"({"roles":["admin"],"sub":"x","iss":"osapi"})");
  return header + "." + payload + ".";
}

std::string expired_token() {
  auto claims = auth::generate_claims({"admin"}, "test-subject", {},
                                      Clock::now() - std::chrono::hours(24 * 200));
  return auth::sign(claims, kKey);
}

std::vector<TokenCase> token_cases() {
  std::vector<TokenCase> out = {
      {"none", "", {}, false, "Bearer token required"},
      {"basic", "Basic dXNlcjpwYXNz", {}, false, "Bearer token required"},
      {"garbage", "Bearer invalid-token-string", {}, false, "invalid number of segments"},
      {"wrong_key",
       "Bearer " + mint({"admin"}, {}, "x", "another-key-another-key-another-key"),
       {},
       false,
       "signature is invalid"},
      {"expired", "Bearer " + expired_token(), {}, false, "token is expired by"},
      {"alg_none", "Bearer " + unsigned_alg_none(), {}, false, "unexpected signing method"},
      {"invalid_role", "Bearer " + mint({"invalid_role"}), {}, false, "oneof"},
      {"unknown_permission",
       "Bearer " + mint({"admin"}, {"foo:bar"}),
       {},
       false,
       "Invalid token: unknown permission \"foo:bar\""},
      {"known_and_unknown_permission",
       "Bearer " + mint({"admin"}, {"node:read", "foo:bar"}),
       {},
       false,
       "Invalid token: unknown permission \"foo:bar\""},
      {"admin", "Bearer " + mint({"admin"}), admin_permissions(), true, ""},
      {"write", "Bearer " + mint({"write"}), write_permissions(), true, ""},
      {"read", "Bearer " + mint({"read"}), read_permissions(), true, ""},
      {"read_write", "Bearer " + mint({"read", "write"}), write_permissions(), true, ""},
      {"custom_ops", "Bearer " + mint({"ops"}), kOps, true, ""},
      {"custom_ops_and_read", "Bearer " + mint({"ops", "read"}), read_permissions(), true, ""},
      // A non-empty permissions claim is the whole set: the roles are ignored.
      {"admin_direct_node_read",
       "Bearer " + mint({"admin"}, {"node:read"}),
       {"node:read"},
       true,
       ""},
      {"empty_roles", "Bearer " + mint({}), {}, true, ""},
  };
  for (const auto& p : kPermissions)
    out.push_back({"direct_" + p, "Bearer " + mint({"read"}, {p}), {p}, true, ""});
  return out;
}

class Rbac : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    nats_ = new osapi::testing::NatsServer();
    auto cfg = base_config(*nats_);
    cfg.controller.api.roles["ops"] = config::Role{{kOps.begin(), kOps.end()}};
    api_ = new Api(cfg);
  }
  static void TearDownTestSuite() {
    delete api_;
    delete nats_;
    api_ = nullptr;
    nats_ = nullptr;
  }

  static Reply send(const Route& r, const std::string& authorization) {
    return api_->call(r.method, r.path, authorization, r.body);
  }

  static osapi::testing::NatsServer* nats_;
  static Api* api_;
};

osapi::testing::NatsServer* Rbac::nats_ = nullptr;
Api* Rbac::api_ = nullptr;

}  // namespace

TEST(RbacTables, PermissionsAndBuiltInRolesMatchTheSpec) {
  ASSERT_EQ(kPermissions.size(), 36u);
  EXPECT_EQ(std::set<std::string>(auth::all_permissions().begin(), auth::all_permissions().end()),
            admin_permissions());
  EXPECT_EQ(auth::all_permissions().size(), 36u);
  EXPECT_EQ(auth::builtin_role_permissions("admin"), admin_permissions());
  EXPECT_EQ(auth::builtin_role_permissions("write"), write_permissions());
  EXPECT_EQ(auth::builtin_role_permissions("read"), read_permissions());
  EXPECT_EQ(admin_permissions().size(), 36u);
  EXPECT_EQ(write_permissions().size(), 30u);
  EXPECT_EQ(read_permissions().size(), 17u);
}

// Every route carries the spec's operation id and permission; unauthenticated routes are
// exactly the probes and the version; every node operation description is routed.
TEST_F(Rbac, EveryRouteHasTheSpecPermission) {
  const auto routes = router_routes(api_->cfg());
  ASSERT_FALSE(routes.empty());
  std::set<std::string> open_routes;
  for (const auto& r : routes) {
    SCOPED_TRACE(r.method + " " + r.path_template);
    EXPECT_TRUE(r.path_template.starts_with("/api/"));
    if (r.permission.empty()) {
      open_routes.insert(r.method + " " + r.path_template);
      continue;
    }
    const SpecOperation* spec = spec_for(r.method, r.path_template);
    ASSERT_NE(spec, nullptr) << "route not in the upstream surface";
    EXPECT_EQ(r.operation_id, spec->operation_id);
    EXPECT_EQ(r.permission, spec->permission);
  }
  EXPECT_EQ(open_routes, (std::set<std::string>{"GET /api/health", "GET /api/health/ready",
                                                "GET /api/version"}));
  for (const auto& op : api::node_operations()) {
    bool routed = false;
    for (const auto& r : routes)
      routed |= r.method == op.method && r.path_template == op.path &&
                r.permission == op.permission && r.operation_id == op.operation_id;
    EXPECT_TRUE(routed) << op.method << " " << op.path;
  }
}

// Each of the 36 permissions (and every other kind of token) against every protected route.
TEST_F(Rbac, TokenMatrixOverEveryRoute) {
  int checked = 0;
  const auto tokens = token_cases();
  for (const auto& route : router_routes(api_->cfg())) {
    if (route.permission.empty()) continue;
    for (const auto& tc : tokens) {
      SCOPED_TRACE(tc.name + " → " + route.method + " " + route.path);
      const Reply r = send(route, tc.authorization);
      ++checked;
      if (!tc.authenticated) {
        EXPECT_EQ(r.status, 401) << r.body;
        ASSERT_TRUE(r.doc.is_object() && r.doc.contains("error")) << r.body;
        EXPECT_NE(r.doc["error"].get<std::string>().find(tc.reason), std::string::npos) << r.body;
        continue;
      }
      if (tc.granted.count(route.permission)) {
        EXPECT_NE(r.status, 401) << r.body;
        EXPECT_NE(r.status, 403) << r.body;
        EXPECT_NE(r.status, 405) << r.body;
        // Past auth a 404 is the handler's (agent or job not found), never the router's.
        if (r.status == 404) {
          EXPECT_TRUE(r.doc.contains("error")) << r.body;
        }
      } else {
        EXPECT_EQ(r.status, 403) << r.body;
        EXPECT_NE(r.body.find("Insufficient permissions. Required: [" + route.permission + "]"),
                  std::string::npos)
            << r.body;
      }
    }
  }
  EXPECT_GT(checked, 36 * 20);
}

TEST_F(Rbac, ForbiddenBodyNamesRequiredAndResolvedPermissions) {
  auto r = api_->get("/api/agent", mint({"admin"}, {"health:read"}));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.doc, (nlohmann::json{{"error",
                                    "Insufficient permissions. Required: [agent:read], "
                                    "resolved: map[health:read:true]"}}));
  r = api_->get("/api/agent", mint({"ops"}, {"health:read", "node:read"}));
  EXPECT_EQ(r.doc["error"],
            "Insufficient permissions. Required: [agent:read], resolved: map[health:read:true "
            "node:read:true]");
}

TEST_F(Rbac, DirectPermissionsOverrideRoles) {
  EXPECT_EQ(api_->get("/api/agent", mint({"read"}, {"agent:read"})).status, 200);
  EXPECT_EQ(api_->get("/api/job", mint({"admin"}, {"agent:read"})).status, 403);
}

TEST_F(Rbac, CustomRoleWithNewName) {
  EXPECT_EQ(api_->get("/api/job", mint({"ops"})).status, 200);
  auto r = api_->get("/api/health/status", mint({"ops"}));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("resolved: map[job:read:true node:read:true]"), std::string::npos)
      << r.body;
}

TEST_F(Rbac, UnauthenticatedRoutesNeedNoToken) {
  for (const char* path : {"/api/health", "/api/health/ready", "/api/version"})
    EXPECT_EQ(api_->get(path, "").status, 200) << path;
  // Metrics and probes live on the metrics server, which has no auth at all.
  ASSERT_NE(api_->server().metrics_port(), 0);
  for (const char* path : {"/metrics", "/health", "/health/ready"})
    EXPECT_EQ(api_->metrics_get(path).status, 200) << path;
}

TEST_F(Rbac, BindingPrecedesAuth) {
  auto r = api_->call("GET", "/api/job/not-a-uuid");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"message\":\"Invalid format for parameter id"), std::string::npos)
      << r.body;
  auto a = api_->call("GET", "/api/audit/not-a-uuid");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("Invalid format for parameter id"), std::string::npos) << a.body;
  auto l = api_->call("GET", "/api/job?limit=abc");
  EXPECT_EQ(l.status, 400);
  EXPECT_NE(l.body.find("Invalid format for parameter limit"), std::string::npos) << l.body;
}

TEST_F(Rbac, BodyDecodingPrecedesAuth) {
  auto bad = api_->call("POST", "/api/node/_any/command/exec", "", "{bad json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"message\":\"Syntax error: offset="), std::string::npos) << bad.body;
  auto wrong_type = api_->call("PUT", "/api/node/_any/hostname", "", R"({"hostname":5})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_NE(wrong_type.body.find("Unmarshal type error"), std::string::npos) << wrong_type.body;
  auto no_type = api_->call("POST", "/api/node/_any/command/exec", "Bearer " + mint({"admin"}),
                            R"({"command":"ls"})", "text/plain");
  EXPECT_EQ(no_type.status, 415);
  EXPECT_NE(no_type.body.find("Unsupported Media Type"), std::string::npos) << no_type.body;
  auto retry = api_->call("POST", std::string("/api/job/") + kUuid + "/retry", "", "{bad");
  EXPECT_EQ(retry.status, 400);
  EXPECT_NE(retry.body.find("Syntax error"), std::string::npos) << retry.body;
}

TEST_F(Rbac, HandlerValidationRunsAfterAuth) {
  EXPECT_EQ(api_->call("GET", "/api/job?status=bogus").status, 401);
  EXPECT_EQ(api_->get("/api/job?status=bogus", mint({"admin"})).status, 400);
  EXPECT_EQ(api_->call("GET", "/api/node/no-such-host").status, 401);
  EXPECT_EQ(api_->get("/api/node/no-such-host", mint({"read"}, {"job:read"})).status, 403);
  EXPECT_EQ(api_->get("/api/node/no-such-host", mint({"read"})).status, 400);
  EXPECT_EQ(api_->call("POST", "/api/node/_any/command/exec", "", "{}").status, 401);
  EXPECT_EQ(api_->get("/api/audit?limit=0", "").status, 401);
}

// A configured role replaces the built-in one of the same name; roles are resolved against
// the server's own config.
TEST(RbacConfig, RolesResolvedAgainstServerConfig) {
  osapi::testing::NatsServer nats;
  auto allow = base_config(nats);
  allow.controller.api.roles["admin"] = config::Role{{"node:read", "health:read"}};
  auto deny = base_config(nats);
  deny.controller.api.roles["admin"] = config::Role{{"health:read"}};
  Api a(allow), d(deny);
  EXPECT_EQ(a.get("/api/health/status", mint({"admin"})).status, 200);
  EXPECT_EQ(a.get("/api/node/no-such-host", mint({"admin"})).status, 400);  // past auth
  EXPECT_EQ(a.get("/api/audit", mint({"admin"})).status, 403);              // shadowed admin
  EXPECT_EQ(d.get("/api/node/no-such-host", mint({"admin"})).status, 403);
  auto r = a.get("/api/job", mint({"ops"}));  // "ops" is not configured there
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("oneof"), std::string::npos) << r.body;
}
