#include "http/response.h"

#include "common/strings.h"

namespace osapi::http {

namespace {

Response make_json(int status, std::string dumped) {
  Response r;
  r.status = status;
  if (status == 204) return r;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(dumped);
  r.body.push_back('\n');
  return r;
}

// Invalid UTF-8 in a message (echoed user input) must not make dump() throw.
constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

}  // namespace

Response Response::json(int status, const nlohmann::ordered_json& body) {
  return make_json(status, body.dump(-1, ' ', false, kReplace));
}

Response Response::json(int status, const nlohmann::json& body) {
  return make_json(status, body.dump(-1, ' ', false, kReplace));
}

Response Response::framework_error(int status, std::string_view message) {
  nlohmann::ordered_json j;
  j["message"] = std::string(message);
  return json(status, j);
}

Response Response::app_error(int status, std::string_view error) {
  nlohmann::ordered_json j;
  j["error"] = std::string(error);
  return json(status, j);
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  return r;
}

Response Response::text(int status, std::string body, std::string_view content_type) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::string(content_type));
  r.body = std::move(body);
  return r;
}

void Response::set_header(std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Request Entity Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

}  // namespace osapi::http
