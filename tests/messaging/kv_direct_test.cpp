// Direct get on KV buckets: created as the spec says, turned off on update, and reads by
// revision that always go to the stream leader. On a real nats-server (one node), and on a
// 3-node cluster where a write through one node is read back at once through another.
#include <gtest/gtest.h>

#include <chrono>

#include "nats_cluster.h"
#include "test_util.h"

namespace osapi::messaging {
namespace {

using namespace std::chrono_literals;

class KvDirectTest : public NatsFixture {
 protected:
  KvSpec spec(bool allow_direct) {
    KvSpec s;
    s.bucket = "direct-kv";
    s.history = 1;
    s.ttl = 1h;
    s.allow_direct = allow_direct;
    return s;
  }
};

TEST_F(KvDirectTest, CreatedWithTheDirectGetOfTheSpecAndTheKvLayout) {
  for (bool direct : {true, false}) {
    KvSpec s = spec(direct);
    s.bucket = direct ? "with-direct" : "without-direct";
    s.history = 3;
    auto kv = conn_->ensure_key_value(s, false);
    ASSERT_TRUE(kv.ok()) << kv.error().message;
    auto info = conn_->stream_info("KV_" + s.bucket);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->allow_direct, direct);
    EXPECT_EQ(info->max_msgs_per_subject, 3);
    EXPECT_EQ(info->discard, "new");
    EXPECT_EQ(info->subjects, (std::vector<std::string>{"$KV." + s.bucket + ".>"}));
    EXPECT_EQ(info->max_age, Duration(1h));
    // The bucket works either way.
    auto rev = (*kv)->put("jobs.a", "a");
    ASSERT_TRUE(rev.ok()) << rev.error().message;
    auto got = (*kv)->get("jobs.a");
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->value, "a");
    EXPECT_EQ((*got)->revision, *rev);
  }
}

TEST_F(KvDirectTest, UpdateExistingTurnsDirectGetOff) {
  ASSERT_TRUE(conn_->ensure_key_value(spec(true), false).ok());
  auto put = (*conn_->key_value("direct-kv"))->put("jobs.a", "kept");
  ASSERT_TRUE(put.ok());

  // Create-only start-up leaves an existing bucket alone.
  ASSERT_TRUE(conn_->ensure_key_value(spec(false), false).ok());
  EXPECT_TRUE(conn_->stream_info("KV_direct-kv")->allow_direct);

  auto kv = conn_->ensure_key_value(spec(false), true);
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  EXPECT_FALSE(conn_->stream_info("KV_direct-kv")->allow_direct);
  auto got = (*kv)->get("jobs.a");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value, "kept");
}

TEST_F(KvDirectTest, GetRevisionFindsExactlyThatWriteOfThatKey) {
  auto kv = conn_->ensure_key_value(spec(true), false);
  ASSERT_TRUE(kv.ok());
  auto rev_a = (*kv)->put("jobs.a", "a1");
  auto rev_b = (*kv)->put("jobs.b", "b1");
  ASSERT_TRUE(rev_a.ok() && rev_b.ok());

  auto a = (*kv)->get_revision("jobs.a", *rev_a);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->key, "jobs.a");
  EXPECT_EQ((*a)->value, "a1");
  EXPECT_EQ((*a)->revision, *rev_a);
  EXPECT_GT((*a)->created_unix_nano, 0);

  auto other_key = (*kv)->get_revision("jobs.a", *rev_b);
  ASSERT_TRUE(other_key.ok()) << other_key.error().message;
  EXPECT_FALSE(other_key->has_value());
  auto none = (*kv)->get_revision("jobs.a", 0);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto not_yet = (*kv)->get_revision("jobs.a", *rev_b + 100);
  ASSERT_TRUE(not_yet.ok()) << not_yet.error().message;
  EXPECT_FALSE(not_yet->has_value());

  // History 1: the overwritten revision is gone; a delete marker is no value.
  auto rev_a2 = (*kv)->put("jobs.a", "a2");
  ASSERT_TRUE(rev_a2.ok());
  auto old = (*kv)->get_revision("jobs.a", *rev_a);
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_FALSE(old->has_value());
  ASSERT_TRUE((*kv)->del("jobs.a").ok());
  auto status = (*kv)->status();
  ASSERT_TRUE(status.ok());
  auto marker = (*kv)->get_revision("jobs.a", status->last_sequence);
  ASSERT_TRUE(marker.ok()) << marker.error().message;
  EXPECT_FALSE(marker->has_value());
}

// Every record written through node 1 is found at once through node 2 (replicas 3, no direct
// get): the read goes to the leader, which stored the write before acknowledging it.
TEST(KvClusterTest, ReadRightAfterWriteThroughAnotherNodeFindsEveryRecord) {
  osapi::testing::NatsCluster cluster(3);
  auto connect = [&](size_t node) {
    ConnectOptions o;
    o.url = cluster.url(node);
    o.reconnect_forever = false;
    auto c = Connection::connect(o);
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? *c : nullptr;
  };
  auto writer = connect(0), reader = connect(1);
  ASSERT_TRUE(writer && reader);
  KvSpec s;
  s.bucket = "cluster-kv";
  s.replicas = 3;
  s.allow_direct = false;
  ASSERT_TRUE(writer->ensure_key_value(s, false).ok());
  auto info = reader->stream_info("KV_cluster-kv");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->replicas, 3);
  EXPECT_FALSE(info->allow_direct);
  auto w = writer->key_value("cluster-kv");
  auto r = reader->key_value("cluster-kv");
  ASSERT_TRUE(w.ok() && r.ok());

  int missing = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "jobs." + std::to_string(i);
    auto rev = (*w)->put(key, "v");
    ASSERT_TRUE(rev.ok()) << rev.error().message;
    auto got = (*r)->get(key);
    ASSERT_TRUE(got.ok()) << got.error().message;
    if (!got->has_value()) ++missing;
  }
  EXPECT_EQ(missing, 0);
}

}  // namespace
}  // namespace osapi::messaging
