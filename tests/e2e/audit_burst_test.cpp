// The audit log loses nothing, through the real binary and a real nats-server: a burst of
// 10,000 audited requests gives exactly 10,000 entries; requests made while NATS is down are
// spooled and replayed in order when it is back (also by a restarted controller); and with
// 100,000 entries the list pages and the export answer correctly.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "http/client.h"
#include "messaging/nats.h"
#include "stack.h"

using namespace osapi;
using namespace osapi::testing;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kStream = "osapi-AUDIT";
// Audited (a verified token, not /api/health), and answered without NATS: the cheapest
// audited route.
constexpr const char* kRoute = "/api/facts/keys";

std::shared_ptr<messaging::Connection> connect(Stack& stack) {
  messaging::ConnectOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(stack.nats_port());
  o.name = "audit-burst-test";
  auto c = messaging::Connection::connect(o);
  if (!c.ok()) throw std::runtime_error("connect: " + c.error().message);
  return *c;
}

uint64_t stored(messaging::Connection& conn) {
  auto info = conn.stream_info(kStream);
  return info.ok() ? info->messages : 0;
}

// Waits until the stream holds `n` entries, then a moment longer to see no more arrive.
bool settle(messaging::Connection& conn, uint64_t n,
            std::chrono::seconds timeout = std::chrono::seconds(30)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (stored(conn) < n && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return stored(conn) == n;
}

// Every stored entry in stream (= write) order.
std::vector<json> entries(messaging::Connection& conn) {
  std::vector<json> out;
  auto info = conn.stream_info(kStream);
  if (!info.ok() || info->messages == 0) return out;
  auto msgs = conn.stream_messages(kStream, "", info->first_sequence, info->last_sequence);
  EXPECT_TRUE(msgs.ok()) << (msgs.ok() ? "" : msgs.error().message);
  if (!msgs.ok()) return out;
  for (const auto& m : *msgs) out.push_back(json::parse(m.data));
  return out;
}

size_t segment_files(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec))
    if (f.path().extension() == ".jsonl") ++n;
  return n;
}

// Lines in the spool's segments.
size_t spooled_lines(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    if (f.path().extension() != ".jsonl") continue;
    const std::string text = read_file(f.path().string());
    n += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  return n;
}

http::ClientResponse get(Stack& stack, const std::string& path, const std::string& token) {
  http::ClientRequest req;
  req.url = stack.api_url() + path;
  req.headers.emplace_back("Authorization", "Bearer " + token);
  req.timeout = std::chrono::seconds(60);
  auto r = http::request(req);
  if (!r.ok()) throw std::runtime_error("GET " + path + ": " + r.error().message);
  return *r;
}

// `n` audited GETs one after another; returns how many answered 200.
int sequential_requests(Stack& stack, const std::string& token, int n) {
  int ok = 0;
  for (int i = 0; i < n; ++i) ok += get(stack, kRoute, token).status == 200 ? 1 : 0;
  return ok;
}

// Entries of `n` sequential requests in the order made: ids and timestamps ascend.
void expect_in_request_order(const std::vector<json>& got) {
  for (size_t i = 1; i < got.size(); ++i) {
    EXPECT_LT(got[i - 1]["id"].get<std::string>(), got[i]["id"].get<std::string>()) << i;
    EXPECT_LE(got[i - 1]["timestamp"].get<std::string>(), got[i]["timestamp"].get<std::string>())
        << i;
  }
}

}  // namespace

TEST(E2EAuditBurst, TenThousandConcurrentRequestsGiveExactlyTenThousandEntries) {
  StackOptions o;
  o.agents = {};
  o.tracing = false;
  Stack stack(o);
  stack.start_all();
  auto conn = connect(stack);
  const std::string token = stack.token("admin");

  constexpr int kClients = 8, kPerClient = 1250, kTotal = kClients * kPerClient;
  std::atomic<int> ok{0}, other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&] {
      for (int i = 0; i < kPerClient; ++i) {
        try {
          (get(stack, kRoute, token).status == 200 ? ok : other)++;
        } catch (const std::exception&) {
          other++;
        }
      }
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kTotal);
  EXPECT_EQ(other.load(), 0);

  ASSERT_TRUE(settle(*conn, kTotal)) << "stored " << stored(*conn);
  const auto all = entries(*conn);
  ASSERT_EQ(all.size(), static_cast<size_t>(kTotal));
  std::set<std::string> ids;
  for (const auto& e : all) {
    ids.insert(e["id"].get<std::string>());
    EXPECT_EQ(e["path"], kRoute);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTotal)) << "duplicate ids";
  EXPECT_EQ(segment_files(stack.spool_dir()), 0u);
  const std::string err = stack.api()->err();
  EXPECT_EQ(err.find("audit entry lost"), std::string::npos);
  EXPECT_EQ(err.find("failed to write audit entries"), std::string::npos);
}

// NATS goes away: the audited requests are spooled; when it is back, exactly those entries
// arrive, in order, and the spool is gone.
TEST(E2EAuditBurst, OutageIsSpooledAndReplayedInOrder) {
  StackOptions o;
  o.agents = {};
  o.tracing = false;
  Stack stack(o);
  stack.start_all();
  const std::string token = stack.token("admin");
  {
    auto conn = connect(stack);
    ASSERT_EQ(sequential_requests(stack, token, 1), 1);
    ASSERT_TRUE(settle(*conn, 1));
    conn->close();
  }

  ASSERT_EQ(stack.nats()->stop(), 0);
  constexpr int kDuring = 40;
  EXPECT_EQ(sequential_requests(stack, token, kDuring), kDuring);
  // Every one of them reaches the spool (the first batch after its publish timed out).
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (spooled_lines(stack.spool_dir()) < kDuring && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(spooled_lines(stack.spool_dir()), static_cast<size_t>(kDuring));

  stack.start_nats();
  auto conn = connect(stack);
  ASSERT_TRUE(settle(*conn, 1 + kDuring)) << "stored " << stored(*conn);
  const auto all = entries(*conn);
  ASSERT_EQ(all.size(), static_cast<size_t>(1 + kDuring));
  expect_in_request_order(all);
  std::set<std::string> ids;
  for (const auto& e : all) ids.insert(e["id"].get<std::string>());
  EXPECT_EQ(ids.size(), all.size());
  const auto wait_empty = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (segment_files(stack.spool_dir()) > 0 && std::chrono::steady_clock::now() < wait_empty)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(segment_files(stack.spool_dir()), 0u);
  EXPECT_EQ(stack.api()->err().find("audit entry lost"), std::string::npos);
}

// A controller stopped with a non-empty spool replays it when it starts again.
TEST(E2EAuditBurst, RestartedControllerReplaysItsSpool) {
  StackOptions o;
  o.agents = {};
  o.tracing = false;
  Stack stack(o);
  stack.start_all();
  const std::string token = stack.token("admin");

  ASSERT_EQ(stack.nats()->stop(), 0);
  constexpr int kDuring = 25;
  EXPECT_EQ(sequential_requests(stack, token, kDuring), kDuring);
  EXPECT_EQ(stack.api()->stop(), 0);  // whatever was still queued is spooled at shutdown
  ASSERT_EQ(spooled_lines(stack.spool_dir()), static_cast<size_t>(kDuring));

  stack.start_nats();
  stack.start_api();
  auto conn = connect(stack);
  ASSERT_TRUE(settle(*conn, kDuring)) << "stored " << stored(*conn);
  const auto all = entries(*conn);
  ASSERT_EQ(all.size(), static_cast<size_t>(kDuring));
  expect_in_request_order(all);
  EXPECT_EQ(segment_files(stack.spool_dir()), 0u);
}

// 100,000 entries seeded straight into the stream in the record format: list pages by
// limit/offset and the export returns all of them.
TEST(E2EAuditBurst, HundredThousandEntriesPageAndExport) {
  StackOptions o;
  o.agents = {};
  o.tracing = false;
  Stack stack(o);
  stack.start_all();
  auto conn = connect(stack);
  const std::string token = stack.token("admin");

  constexpr int kSeeded = 100000;
  auto publisher = conn->batch_publisher();
  ASSERT_TRUE(publisher.ok());
  std::vector<messaging::PublishItem> batch;
  for (int i = 0; i < kSeeded; ++i) {
    char id[37];
    std::snprintf(id, sizeof id, "00000000-0000-7000-8000-%012d", i);
    json e{{"id", id},
           {"timestamp", "2026-12-02T10:00:00.000000Z"},
           {"user", "seed@test"},
           {"roles", {"admin"}},
           {"method", "GET"},
           {"path", "/seed/" + std::to_string(i)},
           {"source_ip", "127.0.0.1"},
           {"response_code", 200},
           {"duration_ms", 1}};
    batch.push_back({std::string("osapi.audit.") + id, e.dump(), {}});
    if (batch.size() == 2000 || i + 1 == kSeeded) {
      for (const auto& st : (*publisher)->publish(batch, std::chrono::seconds(30)))
        ASSERT_TRUE(st.ok()) << st.error().message;
      batch.clear();
    }
  }
  ASSERT_EQ(stored(*conn), static_cast<uint64_t>(kSeeded));

  // Every audit read is audited too: before read number j, wait until the j earlier reads
  // are stored, so the totals are exact.
  int reads = 0;
  auto read = [&](const std::string& path) {
    EXPECT_TRUE(settle(*conn, kSeeded + reads, std::chrono::seconds(10)));
    auto r = get(stack, path, token);
    ++reads;
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  };
  for (int offset : {0, 1, 20, 50000, 99899, 99990}) {
    const int before = reads;  // newest entries are the audit reads, then the seed
    const json page = read("/api/audit?limit=100&offset=" + std::to_string(offset));
    EXPECT_EQ(page["total_items"], kSeeded + before) << offset;
    const auto& items = page["items"];
    const int expect = std::min(100, kSeeded + before - offset);
    ASSERT_EQ(static_cast<int>(items.size()), expect) << offset;
    for (int k = 0; k < expect; ++k) {
      const int pos = offset + k;  // 0 = newest
      if (pos < before) {
        EXPECT_EQ(items[k]["path"].get<std::string>().rfind("/api/audit", 0), 0u)
            << offset << " " << k;
      } else {
        EXPECT_EQ(items[k]["path"], "/seed/" + std::to_string(kSeeded - 1 - (pos - before)))
            << offset << " " << k;
      }
    }
  }
  const json past = read("/api/audit?limit=100&offset=" + std::to_string(kSeeded + 1000));
  EXPECT_TRUE(past["items"].empty());

  const int before = reads;
  const json all = read("/api/audit/export");
  EXPECT_EQ(all["total_items"], kSeeded + before);
  const auto& items = all["items"];
  ASSERT_EQ(items.size(), static_cast<size_t>(kSeeded + before));
  for (int i = 0; i < kSeeded; ++i)  // newest first, after the audit reads
    ASSERT_EQ(items[before + i]["path"], "/seed/" + std::to_string(kSeeded - 1 - i)) << i;
}
