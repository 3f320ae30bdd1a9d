// Built only into libosapi_curl.so (see curl_transport.h).
#include "http/curl_transport.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "common/strings.h"

namespace osapi::http {

namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStrDeleter {
  void operator()(char* s) const { curl_free(s); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

CURL* thread_handle() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  thread_local CurlPtr handle(curl_easy_init());
  return handle.get();
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<ClientResponse*>(user)->body.append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* resp = static_cast<ClientResponse*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100 Continue or an interim response): start over.
    resp->headers.clear();
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == line.npos ? line.npos : line.find(' ', sp1 + 1);
    resp->reason = sp2 == line.npos ? "" : std::string(line.substr(sp2 + 1));
    return size * n;
  }
  const auto colon = line.find(':');
  if (colon != line.npos && colon > 0)
    resp->headers.emplace_back(std::string(line.substr(0, colon)), trim(line.substr(colon + 1)));
  return size * n;
}

UrlParts parse_url(const std::string& url) {
  UrlParts out;
  out.full = url;
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return out;
  curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
  char* s = nullptr;
  if (curl_url_get(u.get(), CURLUPART_URL, &s, 0) == CURLUE_OK) {
    out.full = s;
    curl_free(s);
  }
  if (curl_url_get(u.get(), CURLUPART_HOST, &s, 0) == CURLUE_OK) {
    out.host = s;
    curl_free(s);
    if (out.host.size() > 2 && out.host.front() == '[')
      out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (curl_url_get(u.get(), CURLUPART_PORT, &s, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    long long p = 0;
    if (parse_int64(s, p)) out.port = static_cast<int>(p);
    curl_free(s);
  }
  return out;
}

std::string curl_error_type(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "CURLE_COULDNT_RESOLVE_HOST";
    case CURLE_COULDNT_CONNECT:
      return "CURLE_COULDNT_CONNECT";
    case CURLE_OPERATION_TIMEDOUT:
      return "CURLE_OPERATION_TIMEDOUT";
    case CURLE_SEND_ERROR:
      return "CURLE_SEND_ERROR";
    case CURLE_RECV_ERROR:
      return "CURLE_RECV_ERROR";
    case CURLE_GOT_NOTHING:
      return "CURLE_GOT_NOTHING";
    case CURLE_URL_MALFORMAT:
      return "CURLE_URL_MALFORMAT";
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "CURLE_UNSUPPORTED_PROTOCOL";
    default:
      return "CURLE_" + std::to_string(static_cast<int>(code));
  }
}

Result<ClientResponse> perform(const ClientRequest& req, const Headers& headers,
                               std::string& error_type) {
  CURL* curl = thread_handle();
  if (curl == nullptr) return make_error(ErrorCode::kInternal, "curl_easy_init failed");
  curl_easy_reset(curl);  // keeps the connection cache: keep-alive across calls

  std::unique_ptr<curl_slist, SlistDeleter> list;
  auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (next != nullptr) {
      (void)list.release();
      list.reset(next);
    }
  };
  bool has_content_type = false;
  for (const auto& [k, v] : headers) {
    if (iequals(k, "Content-Type")) has_content_type = true;
    // "Name;" sends an empty header; "Name:" would remove it.
    append(v.empty() ? k + ";" : k + ": " + v);
  }
  append("Expect:");                               // no 100-continue round trip
  if (!has_content_type) append("Content-Type:");  // no curl default form type

  ClientResponse resp;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout.count()));
  if (req.timeout)
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout->count()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp);

  if (req.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    if (req.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
  }

  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) {
    error_type = curl_error_type(rc);
    std::string msg = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return Error(ErrorCode::kUnavailable, req.method + " \"" + req.url + "\": " + msg);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  resp.status = static_cast<int>(status);
  return resp;
}

constexpr CurlTransportApi kApi{kCurlTransportAbi, &perform, &parse_url};

}  // namespace

}  // namespace osapi::http

extern "C" __attribute__((visibility("default"))) const osapi::http::CurlTransportApi*
osapi_curl_transport() {
  return &osapi::http::kApi;
}
