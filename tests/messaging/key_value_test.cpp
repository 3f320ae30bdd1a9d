// KV buckets against a real nats-server.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "test_util.h"

namespace osapi::messaging {
namespace {

using namespace std::chrono_literals;

class KeyValueTest : public NatsFixture {
 protected:
  std::shared_ptr<KeyValue> bucket(const std::string& name = "test-kv") {
    KvSpec spec;
    spec.bucket = name;
    spec.ttl = 1h;
    spec.max_bytes = 1048576;
    auto kv = conn_->ensure_key_value(spec, false);
    EXPECT_TRUE(kv.ok()) << kv.error().message;
    return kv.ok() ? *kv : nullptr;
  }
};

TEST_F(KeyValueTest, PutGetCreateDelete) {
  auto kv = bucket();
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->bucket(), "test-kv");

  auto missing = kv->get("jobs.nope");
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_FALSE(missing->has_value());

  auto rev = kv->put("jobs.a", "{\"x\":1}");
  ASSERT_TRUE(rev.ok()) << rev.error().message;
  EXPECT_GT(*rev, 0u);
  auto got = kv->get("jobs.a");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value, "{\"x\":1}");
  EXPECT_EQ((*got)->key, "jobs.a");
  EXPECT_EQ((*got)->revision, *rev);

  auto created = kv->create("jobs.b", "b");
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto again = kv->create("jobs.b", "b2");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists) << again.error().message;
  EXPECT_EQ((*kv->get("jobs.b"))->value, "b");

  ASSERT_TRUE(kv->del("jobs.b").ok());
  auto gone = kv->get("jobs.b");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  // A deleted key may be created again.
  auto recreated = kv->create("jobs.b", "b3");
  ASSERT_TRUE(recreated.ok()) << recreated.error().message;
  EXPECT_EQ((*kv->get("jobs.b"))->value, "b3");

  ASSERT_TRUE(kv->purge("jobs.b").ok());
  EXPECT_FALSE(kv->get("jobs.b")->has_value());
  EXPECT_TRUE(kv->create("jobs.b", "b4").ok());

  EXPECT_EQ(kv->create("bad key", "x").error().code, ErrorCode::kInvalidArgument);
}

TEST_F(KeyValueTest, KeysAllAndFiltered) {
  auto kv = bucket();
  ASSERT_TRUE(kv);
  auto empty = kv->keys();
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  auto empty_filtered = kv->keys("jobs.>");
  ASSERT_TRUE(empty_filtered.ok()) << empty_filtered.error().message;
  EXPECT_TRUE(empty_filtered->empty());

  ASSERT_TRUE(kv->put("jobs.1", "a").ok());
  ASSERT_TRUE(kv->put("jobs.2", "b").ok());
  ASSERT_TRUE(kv->put("jobs.2", "b2").ok());
  ASSERT_TRUE(kv->put("status.1.started", "c").ok());
  ASSERT_TRUE(kv->put("jobs.3", "d").ok());
  ASSERT_TRUE(kv->del("jobs.3").ok());

  auto all = kv->keys();
  ASSERT_TRUE(all.ok());
  std::vector<std::string> v = *all;
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<std::string>{"jobs.1", "jobs.2", "status.1.started"}));

  auto jobs = kv->keys("jobs.>");
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  v = *jobs;
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<std::string>{"jobs.1", "jobs.2"}));

  auto none = kv->keys("responses.>");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(KeyValueTest, LastEntryUnderAWildcardFilter) {
  auto kv = bucket();
  ASSERT_TRUE(kv);
  auto none = kv->last("status.1.started.>");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(kv->put("status.1.started.host-a.100", "a").ok());
  ASSERT_TRUE(kv->put("status.1.started.host-b.200", "b").ok());
  ASSERT_TRUE(kv->put("status.2.started.host-a.300", "other job").ok());
  ASSERT_TRUE(kv->put("status.1.completed.host-a.400", "not started").ok());

  auto any = kv->last("status.1.started.>");
  ASSERT_TRUE(any.ok()) << any.error().message;
  ASSERT_TRUE(any->has_value());
  EXPECT_EQ((*any)->key, "status.1.started.host-b.200");
  EXPECT_EQ((*any)->value, "b");

  auto a = kv->last("status.1.started.host-a.*");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->key, "status.1.started.host-a.100");

  auto c = kv->last("status.1.started.host-c.*");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());

  // A deleted newest entry counts as absent.
  ASSERT_TRUE(kv->del("status.1.started.host-b.200").ok());
  auto deleted = kv->last("status.1.started.host-b.*");
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->has_value());
}

TEST_F(KeyValueTest, WatchReplaysThenStreamsLiveUpdates) {
  auto kv = bucket();
  ASSERT_TRUE(kv);
  ASSERT_TRUE(kv->put("status.j1.a", "1").ok());
  ASSERT_TRUE(kv->put("status.j1.b", "2").ok());
  ASSERT_TRUE(kv->put("status.j2.a", "x").ok());

  auto w = kv->watch("status.j1.>");
  ASSERT_TRUE(w.ok()) << w.error().message;
  std::vector<std::string> seen;
  for (int i = 0; i < 2; ++i) {
    auto e = (*w)->next(2s);
    ASSERT_TRUE(e.ok() && e->has_value());
    seen.push_back((*e)->key + "=" + (*e)->value);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"status.j1.a=1", "status.j1.b=2"}));

  // Nothing more: times out (swallowing the init marker) with nullopt.
  auto idle = (*w)->next(200ms);
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE(idle->has_value());
  EXPECT_TRUE((*w)->initial_done());

  ASSERT_TRUE(kv->put("status.j1.c", "3").ok());
  auto live = (*w)->next(2s);
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->key, "status.j1.c");
  EXPECT_FALSE((*live)->deleted);

  ASSERT_TRUE(kv->del("status.j1.a").ok());
  auto del = (*w)->next(2s);
  ASSERT_TRUE(del.ok() && del->has_value());
  EXPECT_EQ((*del)->key, "status.j1.a");
  EXPECT_TRUE((*del)->deleted);
}

TEST_F(KeyValueTest, WatchOnEmptyBucketMarksInitialDone) {
  auto kv = bucket();
  ASSERT_TRUE(kv);
  auto w = kv->watch(">");
  ASSERT_TRUE(w.ok());
  auto e = (*w)->next(300ms);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->has_value());
  EXPECT_TRUE((*w)->initial_done());
}

TEST_F(KeyValueTest, EnsureAppliesSettingsAndUpdates) {
  KvSpec spec;
  spec.bucket = "settings-kv";
  spec.ttl = 2h;
  spec.max_bytes = 1048576;
  spec.storage = "memory";
  auto kv = conn_->ensure_key_value(spec, false);
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  auto st = (*kv)->status();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->ttl, std::chrono::nanoseconds(2h));
  EXPECT_EQ(st->max_bytes, 1048576);
  ASSERT_TRUE((*kv)->put("k", "v").ok());
  st = (*kv)->status();
  EXPECT_EQ(st->values, 1u);
  EXPECT_GT(st->bytes, 0u);

  // Without update: untouched.
  spec.ttl = 3h;
  ASSERT_TRUE(conn_->ensure_key_value(spec, false).ok());
  EXPECT_EQ((*kv)->status()->ttl, std::chrono::nanoseconds(2h));
  // With update: applied, data kept.
  ASSERT_TRUE(conn_->ensure_key_value(spec, true).ok());
  EXPECT_EQ((*kv)->status()->ttl, std::chrono::nanoseconds(3h));
  EXPECT_EQ((*(*kv)->get("k"))->value, "v");

  // Short TTL (registry-like): duplicate window is clamped.
  KvSpec reg;
  reg.bucket = "short-kv";
  reg.ttl = 30s;
  auto r = conn_->ensure_key_value(reg, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->status()->ttl, std::chrono::nanoseconds(30s));
  ASSERT_TRUE(conn_->ensure_key_value(reg, true).ok());

  EXPECT_EQ(conn_->key_value("no-such-bucket").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace osapi::messaging
