// The HTTP transport module (libosapi_curl.so): the only code that links libcurl. client.cpp
// (spans, trace headers, logging) loads it on the first request (common/module.h), so the API
// server and the agent, which make no HTTP requests, never map libcurl and its dependencies.
#pragma once

#include <string>

#include "common/headers.h"
#include "common/result.h"
#include "http/client.h"

namespace osapi::http {

struct UrlParts {
  std::string full;  // without userinfo
  std::string host;
  int port = 0;
};

struct CurlTransportApi {
  int abi_version;
  // Sends `req` with `headers` (not req.headers) on this thread's keep-alive handle. On a
  // transport failure `error_type` is set to the curl code's name (CURLE_…).
  Result<ClientResponse> (*perform)(const ClientRequest& req, const Headers& headers,
                                    std::string& error_type);
  UrlParts (*parse_url)(const std::string& url);
};

inline constexpr int kCurlTransportAbi = 1;
inline constexpr const char* kCurlModuleFile = "libosapi_curl.so";
inline constexpr const char* kCurlModuleSymbol = "osapi_curl_transport";

}  // namespace osapi::http

extern "C" const osapi::http::CurlTransportApi* osapi_curl_transport();
