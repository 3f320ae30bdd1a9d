// Streams, durable pull consumers and JetStream publish against a real nats-server.
#include <gtest/gtest.h>

#include <chrono>

#include "test_util.h"

namespace osapi::messaging {
namespace {

using namespace std::chrono_literals;

class JetStreamTest : public NatsFixture {
 protected:
  void SetUp() override {
    NatsFixture::SetUp();
    if (HasFatalFailure()) return;
    StreamSpec s;
    s.name = "T-JOBS";
    s.subjects = {"t.jobs.>"};
    s.max_age = 24h;
    s.max_msgs = 10000;
    ASSERT_TRUE(conn_->ensure_stream(s, false).ok());
  }

  ConsumerSpec consumer(const std::string& name, const std::string& filter) {
    ConsumerSpec c;
    c.durable = name;
    c.filter_subject = filter;
    c.ack_wait = 30s;
    c.max_deliver = 3;
    c.backoff = {30s, 60s};
    return c;
  }
};

TEST_F(JetStreamTest, StreamEnsureAndInfo) {
  auto info = conn_->stream_info("T-JOBS");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->name, "T-JOBS");
  EXPECT_EQ(info->messages, 0u);
  EXPECT_EQ(info->max_age, std::chrono::nanoseconds(24h));
  EXPECT_EQ(info->max_msgs, 10000);
  EXPECT_EQ(info->subjects, (std::vector<std::string>{"t.jobs.>"}));

  StreamSpec s;
  s.name = "T-JOBS";
  s.subjects = {"t.jobs.>"};
  s.max_age = 1h;
  s.max_msgs = 50;
  ASSERT_TRUE(conn_->ensure_stream(s, false).ok());
  EXPECT_EQ(conn_->stream_info("T-JOBS")->max_msgs, 10000);  // untouched
  ASSERT_TRUE(conn_->ensure_stream(s, true).ok());
  info = conn_->stream_info("T-JOBS");
  EXPECT_EQ(info->max_msgs, 50);
  EXPECT_EQ(info->max_age, std::chrono::nanoseconds(1h));

  // Short max_age clamps the duplicate window instead of failing.
  StreamSpec short_lived;
  short_lived.name = "T-SHORT";
  short_lived.subjects = {"t.short.>"};
  short_lived.max_age = 30s;
  short_lived.storage = "memory";
  short_lived.discard = "new";
  EXPECT_TRUE(conn_->ensure_stream(short_lived, false).ok());

  EXPECT_EQ(conn_->stream_info("NOPE").error().code, ErrorCode::kNotFound);
}

TEST_F(JetStreamTest, PublishWithHeadersReachesPullSubscriberAndDedupes) {
  ASSERT_TRUE(conn_->ensure_consumer("T-JOBS", consumer("c1", "t.jobs.query._any"), false).ok());
  auto sub = conn_->bind_pull("T-JOBS", "c1", "t.jobs.query._any");
  ASSERT_TRUE(sub.ok()) << sub.error().message;

  const Headers h = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                     {"X-Mixed-Case", "Value"}};
  auto seq = conn_->js_publish("t.jobs.query._any", "job-1", h, "job-1");
  ASSERT_TRUE(seq.ok()) << seq.error().message;
  auto dup = conn_->js_publish("t.jobs.query._any", "job-1", h, "job-1");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(*dup, *seq);  // deduplicated by Nats-Msg-Id
  EXPECT_EQ(conn_->stream_info("T-JOBS")->messages, 1u);

  auto msgs = (*sub)->fetch(10, 2s);
  ASSERT_TRUE(msgs.ok()) << msgs.error().message;
  ASSERT_EQ(msgs->size(), 1u);
  Message& m = (*msgs)[0];
  EXPECT_EQ(m.subject(), "t.jobs.query._any");
  EXPECT_EQ(m.data(), "job-1");
  EXPECT_EQ(m.delivery_count(), 1u);
  EXPECT_EQ(m.stream_sequence(), *seq);
  ASSERT_NE(find_header(m.headers(), "traceparent"), nullptr);
  EXPECT_EQ(*find_header(m.headers(), "traceparent"), h[0].second);
  ASSERT_NE(find_header(m.headers(), "Nats-Msg-Id"), nullptr);
  EXPECT_EQ(*find_header(m.headers(), "Nats-Msg-Id"), "job-1");
  bool exact_case = false;
  for (const auto& [k, v] : m.headers()) exact_case |= (k == "X-Mixed-Case" && v == "Value");
  EXPECT_TRUE(exact_case);
  EXPECT_TRUE(m.in_progress().ok());
  EXPECT_TRUE(m.ack().ok());

  auto data = conn_->stream_message_data("T-JOBS", *seq);
  ASSERT_TRUE(data.ok()) << data.error().message;
  EXPECT_EQ(*data, "job-1");
  EXPECT_FALSE(conn_->stream_message_data("T-JOBS", 999).ok());

  // Empty fetch times out into an empty vector.
  auto none = (*sub)->fetch(1, 200ms);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(JetStreamTest, NakRedeliversAndTermStops) {
  // No server-side backoff here: on nats-server 2.9 a consumer backoff also shapes the
  // redelivery time of a delayed nak.
  ConsumerSpec spec = consumer("c2", "t.jobs.modify._any");
  spec.backoff.clear();
  ASSERT_TRUE(conn_->ensure_consumer("T-JOBS", spec, false).ok());
  auto sub = conn_->bind_pull("T-JOBS", "c2", "t.jobs.modify._any");
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  ASSERT_TRUE(conn_->js_publish("t.jobs.modify._any", "a").ok());

  auto first = (*sub)->fetch(1, 2s);
  ASSERT_TRUE(first.ok() && first->size() == 1u);
  EXPECT_TRUE((*first)[0].nak().ok());
  auto second = (*sub)->fetch(1, 2s);
  ASSERT_TRUE(second.ok() && second->size() == 1u);
  EXPECT_EQ((*second)[0].delivery_count(), 2u);
  EXPECT_TRUE((*second)[0].nak_with_delay(100ms).ok());
  auto third = (*sub)->fetch(1, 3s);
  ASSERT_TRUE(third.ok()) << third.error().message;
  ASSERT_EQ(third->size(), 1u);
  EXPECT_EQ((*third)[0].delivery_count(), 3u);
  EXPECT_TRUE((*third)[0].term().ok());
  auto after = (*sub)->fetch(1, 300ms);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
}

TEST_F(JetStreamTest, DurableSurvivesSubscriptionDestruction) {
  ASSERT_TRUE(conn_->ensure_consumer("T-JOBS", consumer("keep", "t.jobs.query._all"), false).ok());
  {
    auto sub = conn_->bind_pull("T-JOBS", "keep", "t.jobs.query._all");
    ASSERT_TRUE(sub.ok()) << sub.error().message;
    auto none = (*sub)->fetch(1, 100ms);
    ASSERT_TRUE(none.ok());
  }
  EXPECT_EQ(conn_->stream_info("T-JOBS")->consumers, 1);
  ASSERT_TRUE(conn_->js_publish("t.jobs.query._all", "later").ok());
  // Rebind after a full reconnect as well: the consumer still holds its position.
  conn_->close();
  conn_.reset();
  ConnectOptions o;
  o.url = server_->url();
  auto c = Connection::connect(o);
  ASSERT_TRUE(c.ok());
  conn_ = *c;
  EXPECT_EQ(conn_->stream_info("T-JOBS")->consumers, 1);
  auto sub = conn_->bind_pull("T-JOBS", "keep", "t.jobs.query._all");
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  auto msgs = (*sub)->fetch(1, 2s);
  ASSERT_TRUE(msgs.ok() && msgs->size() == 1u);
  EXPECT_EQ((*msgs)[0].data(), "later");
  EXPECT_TRUE((*msgs)[0].ack().ok());
}

TEST_F(JetStreamTest, BindingAMissingConsumerFailsAndCreatesNothing) {
  auto sub = conn_->bind_pull("T-JOBS", "ghost", "t.jobs.query._any");
  EXPECT_FALSE(sub.ok());
  EXPECT_EQ(conn_->stream_info("T-JOBS")->consumers, 0);
}

TEST_F(JetStreamTest, ExistingConsumerUntouchedUnlessUpdateAndDeliverPolicyKept) {
  ConsumerSpec c = consumer("upd", "t.jobs.query.host.h1");
  c.deliver_policy = "new";
  ASSERT_TRUE(conn_->ensure_consumer("T-JOBS", c, false).ok());
  c.deliver_policy = "all";
  c.max_ack_pending = 7;
  EXPECT_TRUE(conn_->ensure_consumer("T-JOBS", c, false).ok());
  // Updating must not try to change the deliver policy (the server would reject it).
  auto st = conn_->ensure_consumer("T-JOBS", c, true);
  EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST_F(JetStreamTest, BackoffLongerThanMaxDeliverIsRejectedByServer) {
  // nats-server 2.9 rejects max_deliver <= len(backoff): callers must truncate.
  ConsumerSpec c = consumer("bad", "t.jobs.query._bad");
  c.max_deliver = 2;
  c.backoff = {1s, 2s};
  EXPECT_FALSE(conn_->ensure_consumer("T-JOBS", c, false).ok());
}

}  // namespace
}  // namespace osapi::messaging
