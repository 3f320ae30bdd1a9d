// The controller while its NATS connection is down: NATS-backed routes answer 503 with the
// error body at once (bad input and auth still answer first), and everything works again once
// the broker is back on the same port and store dir, with no restart of the API or the agent.
#include <thread>

#include "common/ids.h"
#include "node_fixture.h"

using namespace osapi;
using namespace osapi::api::node_testing;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

// Polls GET `path` until it answers `status`, up to `timeout`; returns the last reply.
Reply poll_status(Fixture& f, const std::string& path, int status, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Reply r = f.get(path);
  while (r.status != status && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
    r = f.get(path);
  }
  return r;
}

bool unavailable(const Reply& r) {
  return r.status == 503 && r.doc.is_object() && r.doc.size() == 1 &&
         r.doc.value("error", "").rfind("NATS not connected", 0) == 0;
}

}  // namespace

TEST(NatsDown, NatsBackedRoutesAnswer503UntilTheBrokerIsBack) {
  Fixture f;
  auto r = f.get("/api/node/agent1/hostname");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string job_id = r.doc.value("job_id", "");

  f.nats().stop();
  // A single-host target: without the check its registry lookup would answer 400 "not found".
  r = poll_status(f, "/api/node/agent1/hostname", 503, 20s);
  EXPECT_TRUE(unavailable(r)) << r.status << " " << r.body;
  for (const std::string& path :
       std::vector<std::string>{"/api/node/_all/hostname", "/api/job", "/api/job/" + job_id,
                                "/api/agent", "/api/agent/agent1"}) {
    r = f.get(path);
    EXPECT_TRUE(unavailable(r)) << path << ": " << r.status << " " << r.body;
  }
  r = f.call("DELETE", "/api/job/" + job_id);
  EXPECT_TRUE(unavailable(r)) << r.status << " " << r.body;
  r = f.call("POST", "/api/job/" + job_id + "/retry", "{}");
  EXPECT_TRUE(unavailable(r)) << r.status << " " << r.body;

  // Malformed input and missing credentials still answer first (they need no NATS); routes
  // without NATS still work.
  EXPECT_EQ(f.call("PUT", "/api/node/agent1/hostname", R"({"hostname":5})").status, 400);
  EXPECT_EQ(f.call("GET", "/api/node/agent1/hostname", "", "").status, 401);
  EXPECT_EQ(f.get("/api/job?limit=101").status, 400);
  EXPECT_EQ(f.get("/api/facts/keys").status, 200);

  f.nats().start();  // same port, same store dir
  r = poll_status(f, "/api/node/agent1/hostname", 200, 60s);
  EXPECT_EQ(r.status, 200) << r.body;
  r = f.get("/api/job/" + job_id);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.doc.value("status", ""), "completed") << r.body;
}
