#include "http/router.h"

#include <gtest/gtest.h>

#include "http/binding.h"
#include "http/cors_middleware.h"
#include "http/request_id_middleware.h"

using namespace osapi;
using namespace osapi::http;

namespace {

Handler named(std::string name) {
  return [name](Request& req) {
    nlohmann::ordered_json j;
    j["handler"] = name;
    j["route"] = req.route;
    for (const auto& [k, v] : req.path_params) j["params"][k] = v;
    return Response::json(200, j);
  };
}

Request make(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  set_target(r, target);
  return r;
}

nlohmann::json body_of(const Response& r) {
  return nlohmann::json::parse(r.body);
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add("GET", "/job", named("list"), {"getJob", "job:read"});
    router.add("POST", "/job", named("create"), {"postJob", "job:write"});
    router.add("GET", "/job/{id}", named("get"), {"getJobByID", "job:read"});
    router.add("DELETE", "/job/{id}", named("delete"));
    router.add("GET", "/job/status", named("status"));
    router.add("POST", "/job/{id}/retry", named("retry"));
    router.add("GET", "/network/dns/{interfaceName}", named("dns"));
  }
  Router router;
};

}  // namespace

TEST_F(RouterTest, StaticSegmentWinsOverParameter) {
  auto req = make("GET", "/job/status");
  ASSERT_TRUE(router.match(req));
  EXPECT_EQ(req.route, "/job/status");
  EXPECT_EQ(body_of(router.dispatch(req))["handler"], "status");

  req = make("GET", "/job/abc");
  ASSERT_TRUE(router.match(req));
  EXPECT_EQ(req.route, "/job/{id}");
  EXPECT_EQ(req.path_params.at("id"), "abc");
  EXPECT_EQ(req.route_info.operation_id, "getJobByID");
  EXPECT_EQ(req.route_info.permission, "job:read");
  EXPECT_EQ(body_of(router.dispatch(req))["handler"], "get");
}

TEST_F(RouterTest, MethodOnlyOnParameterRouteFallsThroughStatic) {
  // DELETE is not routed on /job/status itself, but /job/{id} takes any segment.
  auto req = make("DELETE", "/job/status");
  ASSERT_TRUE(router.match(req));
  EXPECT_EQ(req.route, "/job/{id}");
  EXPECT_EQ(body_of(router.dispatch(req))["handler"], "delete");
}

TEST_F(RouterTest, NotFoundCases) {
  for (const char* target :
       {"/nope", "/job/", "/Job", "/JOB/status", "/job/a/b", "", "job", "/job/abc/retry/"}) {
    auto req = make("GET", target);
    EXPECT_FALSE(router.match(req)) << target;
    EXPECT_TRUE(req.route.empty());
    const auto resp = router.dispatch(req);
    EXPECT_EQ(resp.status, 404) << target;
    EXPECT_EQ(resp.body, "{\"message\":\"Not Found\"}\n");
    EXPECT_EQ(*resp.header("Content-Type"), "application/json");
  }
}

TEST_F(RouterTest, MethodNotAllowedListsMethods) {
  auto req = make("PUT", "/job");
  EXPECT_FALSE(router.match(req));
  const auto resp = router.dispatch(req);
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.body, "{\"message\":\"Method Not Allowed\"}\n");
  ASSERT_NE(resp.header("Allow"), nullptr);
  EXPECT_EQ(*resp.header("Allow"), "GET, POST");

  req = make("POST", "/job/status");
  const auto r2 = router.dispatch(req);
  EXPECT_EQ(r2.status, 405);
  EXPECT_EQ(*r2.header("Allow"), "GET, DELETE");
}

TEST_F(RouterTest, AllowedMethodsForPath) {
  EXPECT_EQ(router.allowed_methods("/job"), (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(router.allowed_methods("/job/x/retry"), (std::vector<std::string>{"POST"}));
  EXPECT_TRUE(router.allowed_methods("/nope").empty());
}

TEST_F(RouterTest, RoutesListsEveryRegistrationInOrder) {
  const auto routes = router.routes();
  ASSERT_EQ(routes.size(), 7u);
  EXPECT_EQ(routes[0].method, "GET");
  EXPECT_EQ(routes[0].path_template, "/job");
  EXPECT_EQ(routes[0].info.operation_id, "getJob");
  EXPECT_EQ(routes[0].info.permission, "job:read");
  EXPECT_EQ(routes[3].method, "DELETE");
  EXPECT_EQ(routes[3].path_template, "/job/{id}");
  EXPECT_EQ(routes[3].info.permission, "");
  EXPECT_EQ(routes[6].path_template, "/network/dns/{interfaceName}");
}

TEST_F(RouterTest, PathParamsArePercentDecodedAndQueryFirstValueWins) {
  auto req = make("GET", "/network/dns/eth%30?a=1&a=2&b=x+y&c=%2Fz&flag");
  ASSERT_TRUE(router.match(req));
  EXPECT_EQ(req.path, "/network/dns/eth%30");
  EXPECT_EQ(req.path_params.at("interfaceName"), "eth0");
  EXPECT_EQ(req.raw_query, "a=1&a=2&b=x+y&c=%2Fz&flag");
  EXPECT_EQ(req.query.at("a"), "1");
  EXPECT_EQ(req.query.at("b"), "x y");
  EXPECT_EQ(req.query.at("c"), "/z");
  EXPECT_EQ(req.query.at("flag"), "");
}

TEST(Binding, DecodeJsonBody) {
  Request req = make("POST", "/x");
  auto empty = decode_json_body(req);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->is_object());
  EXPECT_TRUE(empty->empty());

  req.body = R"({"a":1})";
  auto no_type = decode_json_body(req);
  ASSERT_FALSE(no_type.ok());
  EXPECT_EQ(no_type.response().status, 415);
  EXPECT_EQ(no_type.response().body, "{\"message\":\"Unsupported Media Type\"}\n");

  req.headers = {{"content-type", "text/plain"}};
  EXPECT_EQ(decode_json_body(req).response().status, 415);

  req.headers = {{"Content-Type", "Application/JSON; charset=utf-8"}};
  auto ok = decode_json_body(req);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["a"], 1);

  req.body = "{x";
  auto bad = decode_json_body(req);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.response().status, 400);
  const auto msg = nlohmann::json::parse(bad.response().body)["message"].get<std::string>();
  EXPECT_EQ(msg.rfind("Syntax error: offset=2, error=", 0), 0u) << msg;

  req.body = std::string(100000, '[');
  auto deep = decode_json_body(req);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.response().status, 400);

  req.body_too_large = true;
  EXPECT_EQ(decode_json_body(req).response().status, 413);
}

TEST(Binding, QueryIntAndPathUuid) {
  Request req = make("GET", "/job?limit=5&offset=abc&big=99999999999999999999&neg=-3");
  auto limit = query_int(req, "limit", 10);
  ASSERT_TRUE(limit.ok());
  EXPECT_EQ(*limit, 5);
  auto missing = query_int(req, "other", 10);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, 10);
  EXPECT_EQ(*query_int(req, "neg", 0), -3);
  auto bad = query_int(req, "offset", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.response().status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad.response().body)["message"],
            "Invalid format for parameter offset: error binding string parameter: "
            "strconv.ParseInt: parsing \"abc\": invalid syntax");
  auto big = query_int(req, "big", 0);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.response().body.find("value out of range"), std::string::npos);

  req.path_params["id"] = "not-a-uuid";
  auto id = path_uuid(req, "id");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(nlohmann::json::parse(id.response().body)["message"],
            "Invalid format for parameter id: error unmarshaling 'not-a-uuid' text as "
            "*uuid.UUID: invalid UUID length: 10");
  req.path_params["id"] = "550e8400-e29b-41d4-a716-446655440000";
  EXPECT_TRUE(path_uuid(req, "id").ok());
}

TEST(Responses, Shapes) {
  auto r = Response::app_error(500, "boom");
  EXPECT_EQ(r.body, "{\"error\":\"boom\"}\n");
  auto nc = Response::json(204, nlohmann::ordered_json{{"a", 1}});
  EXPECT_TRUE(nc.body.empty());
  EXPECT_EQ(nc.header("Content-Type"), nullptr);
  // Invalid UTF-8 in echoed input must not throw.
  auto bad = Response::app_error(400, std::string("bad \xff byte"));
  EXPECT_EQ(bad.status, 400);
}

TEST(RequestId, Validation) {
  EXPECT_TRUE(valid_request_id("abc-123"));
  EXPECT_TRUE(valid_request_id(std::string(128, 'a')));
  EXPECT_FALSE(valid_request_id(std::string(129, 'a')));
  EXPECT_FALSE(valid_request_id(""));
  EXPECT_FALSE(valid_request_id("tab\there"));
  EXPECT_FALSE(valid_request_id("caf\xc3\xa9"));
}

TEST(Cors, OriginMatching) {
  const std::vector<std::string> list = {"http://localhost:3001", "https://*.example.com"};
  EXPECT_NE(match_origin(list, "http://localhost:3001"), nullptr);
  EXPECT_EQ(match_origin(list, "http://localhost:3002"), nullptr);
  EXPECT_NE(match_origin(list, "https://a.example.com"), nullptr);
  EXPECT_NE(match_origin(list, "https://a.b.example.com"), nullptr);
  EXPECT_EQ(match_origin(list, "https://example.com"), nullptr);
  EXPECT_EQ(match_origin(list, "http://a.example.com"), nullptr);
  EXPECT_EQ(match_origin(list, "https://evil.com/.example.com"), nullptr);
  EXPECT_EQ(match_origin(list, ""), nullptr);
  EXPECT_NE(match_origin({"*"}, "http://anything"), nullptr);
}
