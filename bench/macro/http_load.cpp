#include "http_load.h"

#include <curl/curl.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <regex>
#include <sstream>

#include "process.h"

namespace osapi::bench {

namespace {

size_t discard_body(char*, size_t size, size_t n, void*) {
  return size * n;
}

struct CurlClient {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy{curl_easy_init(), &curl_easy_cleanup};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers{nullptr,
                                                                      &curl_slist_free_all};
};

// wrk prints latencies like "1.23ms", "850.00us", "2.01s".
double to_ms(const std::string& value, const std::string& unit) {
  const double v = std::stod(value);
  if (unit == "us") return v / 1000.0;
  if (unit == "s") return v * 1000.0;
  return v;
}

}  // namespace

OpFactory curl_get(const std::string& url, const std::vector<std::string>& headers) {
  return curl_get_cycle({url}, headers);
}

OpFactory curl_get_cycle(const std::vector<std::string>& urls,
                         const std::vector<std::string>& headers) {
  auto next_thread = std::make_shared<std::atomic<size_t>>(0);
  return [urls, headers, next_thread]() -> Op {
    auto client = std::make_shared<CurlClient>();
    CURL* h = client->easy.get();
    for (const auto& line : headers)
      client->headers.reset(curl_slist_append(client->headers.release(), line.c_str()));
    curl_easy_setopt(h, CURLOPT_URL, urls[0].c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, client->headers.get());
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &discard_body);
    // Threads start at different routes, so every route is busy at once.
    auto turn = std::make_shared<size_t>(next_thread->fetch_add(1));
    return [client, urls, turn](std::string& error) {
      CURL* easy = client->easy.get();
      const std::string& url = urls[(*turn)++ % urls.size()];
      if (urls.size() > 1) curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
      const CURLcode rc = curl_easy_perform(easy);
      if (rc != CURLE_OK) {
        error = curl_easy_strerror(rc);
        return false;
      }
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      if (status != 200) {
        error = "HTTP " + std::to_string(status) + " from " + url;
        return false;
      }
      return true;
    };
  };
}

WrkResult run_wrk(const std::string& url, const std::vector<std::string>& headers, int threads,
                  int connections, int seconds) {
  std::vector<std::string> argv{"wrk",
                                "-t" + std::to_string(threads),
                                "-c" + std::to_string(connections),
                                "-d" + std::to_string(seconds) + "s",
                                "--latency",
                                "--timeout",
                                "30s"};
  for (const auto& h : headers) {
    argv.push_back("-H");
    argv.push_back(h);
  }
  argv.push_back(url);
  WrkResult out;
  auto r = testing::run(argv, {}, "", std::chrono::seconds(seconds + 60));
  if (r.code != 0) {
    out.error = "wrk exited " + std::to_string(r.code) + ": " + r.err;
    return out;
  }
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))")))
    out.rps = std::stod(m[1]);
  else
    out.error = "no Requests/sec in wrk output";
  if (std::regex_search(r.out, m, std::regex(R"(\n\s+50%\s+([0-9.]+)(us|ms|s))")))
    out.p50_ms = to_ms(m[1], m[2]);
  if (std::regex_search(r.out, m, std::regex(R"(\n\s+99%\s+([0-9.]+)(us|ms|s))")))
    out.p99_ms = to_ms(m[1], m[2]);
  if (std::regex_search(r.out, m, std::regex(R"((\d+) requests in)")))
    out.requests = std::stol(m[1]);
  if (std::regex_search(r.out, m, std::regex(R"(Non-2xx or 3xx responses:\s+(\d+))")))
    out.non_2xx = std::stol(m[1]);
  if (std::regex_search(r.out, m, std::regex(R"(Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+))")))
    out.socket_errors = std::stol(m[1]) + std::stol(m[2]) + std::stol(m[3]) + std::stol(m[4]);
  return out;
}

}  // namespace osapi::bench
