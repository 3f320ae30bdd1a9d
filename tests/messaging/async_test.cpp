// Async KV puts and core subscriptions on KV subjects (the API's response routing path).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "job/response_router.h"
#include "test_util.h"

namespace osapi::messaging {
namespace {

using namespace std::chrono_literals;

class AsyncTest : public NatsFixture {
 protected:
  std::shared_ptr<KeyValue> bucket() {
    KvSpec spec;
    spec.bucket = "async-kv";
    auto kv = conn_->ensure_key_value(spec, false);
    EXPECT_TRUE(kv.ok()) << kv.error().message;
    return kv.ok() ? *kv : nullptr;
  }
};

TEST_F(AsyncTest, PutAsyncIsStoredInOrderAfterFlush) {
  auto kv = bucket();
  ASSERT_TRUE(kv);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(kv->put_async("k", std::to_string(i)).ok());
  ASSERT_TRUE(conn_->flush_async_publishes(5s).ok());
  auto e = kv->get("k");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->value, "49");
  EXPECT_FALSE(kv->put_async("bad key!", "x").ok());
}

TEST_F(AsyncTest, CoreSubscriptionSeesKvWrites) {
  auto kv = bucket();
  ASSERT_TRUE(kv);
  std::atomic<int> seen{0};
  {
    auto sub = conn_->subscribe("$KV.async-kv.responses.>", [&](Message&& m) {
      if (m.subject() == "$KV.async-kv.responses.a.b" && m.data() == "v") ++seen;
    });
    ASSERT_TRUE(sub.ok()) << sub.error().message;
    ASSERT_TRUE(kv->put("responses.a.b", "v").ok());
    ASSERT_TRUE(kv->put("other.key", "v").ok());
    for (int i = 0; i < 100 && seen == 0; ++i) std::this_thread::sleep_for(10ms);
  }  // unsubscribed: later writes are not delivered to a destroyed handler
  ASSERT_TRUE(kv->put("responses.a.b", "v").ok());
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(seen, 1);
}

TEST_F(AsyncTest, ResponseRouterDeliversOnlyToTheWaitingJob) {
  auto kv = bucket();
  ASSERT_TRUE(kv);
  auto router = job::ResponseRouter::start(*conn_, "async-kv");
  ASSERT_TRUE(router.ok()) << router.error().message;
  auto w1 = (*router)->expect("job-1");
  auto w2 = (*router)->expect("job-2");
  ASSERT_TRUE(kv->put("responses.job-1.host-a.5",
                      R"({"job_id":"job-1","status":"completed","hostname":"host-a"})")
                  .ok());
  auto r = w1->next(std::chrono::steady_clock::now() + 5s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->hostname, "host-a");
  EXPECT_EQ(r->unix_nano, 5);
  EXPECT_FALSE(w2->next(std::chrono::steady_clock::now() + 100ms).has_value());
  w1.reset();  // released interest: later responses for job-1 are dropped, no crash
  ASSERT_TRUE(kv->put("responses.job-1.host-b.6", R"({"status":"completed"})").ok());
  ASSERT_TRUE(kv->put("responses.job-2.host-b.7", "not json").ok());
  EXPECT_FALSE(w2->next(std::chrono::steady_clock::now() + 100ms).has_value());
}

}  // namespace
}  // namespace osapi::messaging
