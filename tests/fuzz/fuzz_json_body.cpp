// HTTP request bodies and targets: the router (match + dispatch, 404/405/413) in front of
// handlers that bind the way the API's do — decode_json_body, path_uuid, query_int — then read
// typed fields out of the decoded document.
// Input: byte 0 picks method and Content-Type, then "<target>\n<body>".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/binding.h"
#include "http/request.h"
#include "http/router.h"

namespace {

using osapi::http::Request;
using osapi::http::Response;

// Reads fields as a command/network handler would; type mismatches must not throw out.
Response body_handler(Request& req) {
  auto body = osapi::http::decode_json_body(req);
  if (!body) return std::move(body).response();
  const nlohmann::json& j = *body;
  if (!j.is_object()) return Response::app_error(400, "body must be an object");
  std::string summary;
  for (const char* key : {"command", "address", "interface_name", "target_hostname"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) summary += it->get<std::string>();
  }
  if (auto it = j.find("args"); it != j.end() && it->is_array())
    for (const auto& a : *it)
      if (a.is_string()) summary += a.get<std::string>();
  if (auto it = j.find("timeout"); it != j.end() && it->is_number_integer())
    summary += std::to_string(it->get<long long>());
  return Response::json(200, nlohmann::json{{"summary", summary}, {"echo", j}});
}

Response job_handler(Request& req) {
  auto id = osapi::http::path_uuid(req, "id");
  if (!id) return std::move(id).response();
  return Response::json(200, nlohmann::json{{"id", *id}});
}

Response list_handler(Request& req) {
  auto limit = osapi::http::query_int(req, "limit", 100);
  if (!limit) return std::move(limit).response();
  auto offset = osapi::http::query_int(req, "offset", 0);
  if (!offset) return std::move(offset).response();
  return Response::json(200, nlohmann::json{{"limit", *limit}, {"offset", *offset}});
}

const osapi::http::Router& router() {
  static osapi::http::Router* r = [] {
    auto* r = new osapi::http::Router();
    r->add("POST", "/node/command/exec", body_handler);
    r->add("PUT", "/node/network/dns", body_handler);
    r->add("POST", "/job", body_handler);
    r->add("GET", "/job", list_handler);
    r->add("GET", "/job/{id}", job_handler);
    r->add("DELETE", "/job/{id}", job_handler);
    r->add("POST", "/job/{id}/retry", body_handler);
    return r;
  }();
  return *r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kMethods[] = {"GET", "POST", "PUT", "DELETE"};
  static const char* kTypes[] = {"application/json", "application/json; charset=utf-8",
                                 "text/plain", ""};
  const uint8_t sel = data[0];
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t nl = in.find('\n');
  Request req;
  req.method = kMethods[sel & 3];
  osapi::http::set_target(req, in.substr(0, nl));
  if (const char* type = kTypes[(sel >> 2) & 3]; type[0] != '\0')
    req.headers.emplace_back("Content-Type", type);
  if (nl != std::string_view::npos) req.body = std::string(in.substr(nl + 1));
  req.body_too_large = (sel & 0xF0) == 0xF0;  // 1 in 16: the 413 path
  Response res = router().dispatch(req);
  if (res.status < 200 || res.status > 599) __builtin_trap();
  (void)osapi::http::client_ip(req);
  return 0;
}
