// Reading stream messages back (by sequence, last on a subject, ranges) and batched async
// publishes, against a real nats-server.
#include <gtest/gtest.h>

#include <chrono>

#include "test_util.h"

namespace osapi::messaging {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class StreamMessagesTest : public NatsFixture {
 protected:
  void SetUp() override {
    NatsFixture::SetUp();
    if (HasFatalFailure()) return;
    StreamSpec s;
    s.name = "T-LOG";
    s.subjects = {"t.log.>"};
    s.max_age = 1h;
    ASSERT_TRUE(conn_->ensure_stream(s, false).ok());
    auto p = conn_->batch_publisher();
    ASSERT_TRUE(p.ok()) << p.error().message;
    publisher_ = std::move(*p);
  }
  void TearDown() override {
    publisher_.reset();
    NatsFixture::TearDown();
  }

  // Publishes t.log.e<i> with payload "m<i>" for i in [from, to), checking every ack.
  void publish_range(int from, int to) {
    std::vector<PublishItem> batch;
    for (int i = from; i < to; ++i)
      batch.push_back({"t.log.e" + std::to_string(i), "m" + std::to_string(i), {}});
    const auto results = publisher_->publish(batch, 5s);
    ASSERT_EQ(results.size(), batch.size());
    for (size_t i = 0; i < results.size(); ++i)
      ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].error().message;
  }

  std::vector<uint64_t> sequences(uint64_t first, uint64_t last) {
    auto msgs = conn_->stream_messages("T-LOG", "t.log.>", first, last);
    EXPECT_TRUE(msgs.ok()) << msgs.error().message;
    std::vector<uint64_t> out;
    if (msgs.ok())
      for (const auto& m : *msgs) out.push_back(m.sequence);
    return out;
  }

  std::unique_ptr<BatchPublisher> publisher_;
};

TEST_F(StreamMessagesTest, InfoReportsSequenceBoundsAndDeletedCount) {
  auto empty = conn_->stream_info("T-LOG");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->first_sequence, 0u);
  EXPECT_EQ(empty->last_sequence, 0u);
  publish_range(0, 5);
  ASSERT_TRUE(conn_->delete_stream_message("T-LOG", 3).ok());
  ASSERT_TRUE(conn_->delete_stream_message("T-LOG", 1).ok());  // the oldest: no gap left
  auto info = conn_->stream_info("T-LOG");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->messages, 3u);
  EXPECT_EQ(info->first_sequence, 2u);
  EXPECT_EQ(info->last_sequence, 5u);
  EXPECT_EQ(info->deleted, 1u);
  EXPECT_TRUE(info->deleted_sequences.empty()) << "only listed when asked";
  auto detailed = conn_->stream_info("T-LOG", true);
  ASSERT_TRUE(detailed.ok());
  EXPECT_EQ(detailed->deleted_sequences, (std::vector<uint64_t>{3}));
  auto again = conn_->delete_stream_message("T-LOG", 3);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound) << again.error().message;
  auto never = conn_->delete_stream_message("T-LOG", 99);
  ASSERT_FALSE(never.ok());
  EXPECT_EQ(never.error().code, ErrorCode::kNotFound) << never.error().message;
}

// The deleted list is complete for both storages, also when the newest messages are gone (a
// memory stream of nats-server 2.9 leaves those out on its own).
TEST_F(StreamMessagesTest, DeletedListIncludesDeletedNewestSequences) {
  for (const std::string storage : {"memory", "file"}) {
    StreamSpec s;
    s.name = "T-DEL-" + storage;
    s.subjects = {"t.del." + storage + ".>"};
    s.storage = storage;
    ASSERT_TRUE(conn_->ensure_stream(s, false).ok());
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(conn_->js_publish("t.del." + storage + ".x", "m").ok());
    for (uint64_t seq : {9, 7, 10, 2}) ASSERT_TRUE(conn_->delete_stream_message(s.name, seq).ok());
    auto info = conn_->stream_info(s.name, true);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->messages, 6u) << storage;
    EXPECT_EQ(info->deleted_sequences, (std::vector<uint64_t>{2, 7, 9, 10})) << storage;
  }
}

TEST_F(StreamMessagesTest, GetBySequenceAndLastOnSubject) {
  std::vector<PublishItem> batch = {{"t.log.a", "first", {{"X-Kind", "audit"}}},
                                    {"t.log.b", "other", {}},
                                    {"t.log.a", "second", {}}};
  for (const auto& st : publisher_->publish(batch, 5s)) ASSERT_TRUE(st.ok());

  auto one = conn_->stream_message("T-LOG", 1);
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->sequence, 1u);
  EXPECT_EQ((*one)->subject, "t.log.a");
  EXPECT_EQ((*one)->data, "first");
  ASSERT_NE(find_header((*one)->headers, "X-Kind"), nullptr);
  EXPECT_EQ(*find_header((*one)->headers, "X-Kind"), "audit");

  auto last = conn_->last_stream_message("T-LOG", "t.log.a");
  ASSERT_TRUE(last.ok()) << last.error().message;
  ASSERT_TRUE(last->has_value());
  EXPECT_EQ((*last)->sequence, 3u);
  EXPECT_EQ((*last)->data, "second");

  auto beyond = conn_->stream_message("T-LOG", 99);
  ASSERT_TRUE(beyond.ok()) << beyond.error().message;
  EXPECT_FALSE(beyond->has_value());
  auto none = conn_->last_stream_message("T-LOG", "t.log.zzz");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(conn_->delete_stream_message("T-LOG", 2).ok());
  auto deleted = conn_->stream_message("T-LOG", 2);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_FALSE(deleted->has_value());

  auto no_stream = conn_->stream_message("NOPE", 1);
  ASSERT_FALSE(no_stream.ok());
  EXPECT_EQ(no_stream.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(conn_->last_stream_message("NOPE", "t.log.a").ok());
}

TEST_F(StreamMessagesTest, RangeReadsAcrossFetchBatchesInOrder) {
  publish_range(0, 600);  // more than one pull batch
  auto all = conn_->stream_messages("T-LOG", "t.log.>", 1, 600);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 600u);
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].sequence, i + 1);
    EXPECT_EQ((*all)[i].data, "m" + std::to_string(i));
    EXPECT_EQ((*all)[i].subject, "t.log.e" + std::to_string(i));
  }
  EXPECT_EQ(sequences(298, 302), (std::vector<uint64_t>{298, 299, 300, 301, 302}));
  EXPECT_EQ(sequences(599, 10000), (std::vector<uint64_t>{599, 600}));  // clipped at the end
  EXPECT_EQ(sequences(0, 2), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(sequences(601, 700).empty());
  EXPECT_TRUE(sequences(5, 4).empty());
  auto unfiltered = conn_->stream_messages("T-LOG", "", 10, 12);
  ASSERT_TRUE(unfiltered.ok()) << unfiltered.error().message;
  ASSERT_EQ(unfiltered->size(), 3u);
  EXPECT_EQ((*unfiltered)[0].subject, "t.log.e9");
  // No ephemeral consumer outlives a read.
  EXPECT_EQ(conn_->stream_info("T-LOG")->consumers, 0);
}

TEST_F(StreamMessagesTest, DeletedSequencesInsideARangeAreSkipped) {
  publish_range(0, 10);
  for (uint64_t seq : {4, 5, 10}) ASSERT_TRUE(conn_->delete_stream_message("T-LOG", seq).ok());
  EXPECT_EQ(sequences(3, 7), (std::vector<uint64_t>{3, 6, 7}));
  EXPECT_TRUE(sequences(4, 5).empty());
  // The newest sequence is gone and nothing follows it: the read ends at once, not on timeout.
  const auto started = Clock::now();
  EXPECT_EQ(sequences(8, 10), (std::vector<uint64_t>{8, 9}));
  EXPECT_TRUE(sequences(10, 10).empty());
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST_F(StreamMessagesTest, EmptyStreamAndUnknownStream) {
  const auto started = Clock::now();
  EXPECT_TRUE(sequences(1, 100).empty());
  EXPECT_LT(Clock::now() - started, 1s);
  auto missing = conn_->stream_messages("NOPE", "nope.>", 1, 10);
  EXPECT_FALSE(missing.ok());
}

TEST_F(StreamMessagesTest, BatchPublishReportsEachMessage) {
  std::vector<PublishItem> batch = {{"t.log.ok1", "a", {}},
                                    {"t.elsewhere", "no stream listens here", {}},
                                    {"t.log.ok2", "b", {}}};
  auto results = publisher_->publish(batch, 5s);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, ErrorCode::kUnavailable) << results[1].error().message;
  EXPECT_NE(results[1].error().message.find("t.elsewhere"), std::string::npos);
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(conn_->stream_info("T-LOG")->messages, 2u);
  EXPECT_TRUE(publisher_->publish({}, 1s).empty());
}

TEST_F(StreamMessagesTest, BatchPublishFailsEveryMessageWhenTheServerIsGone) {
  server_->stop();
  std::vector<PublishItem> batch;
  for (int i = 0; i < 20; ++i) batch.push_back({"t.log.x" + std::to_string(i), "x", {}});
  const auto started = Clock::now();
  auto results = publisher_->publish(batch, 300ms);
  EXPECT_LT(Clock::now() - started, 3s);
  ASSERT_EQ(results.size(), 20u);
  for (const auto& st : results) EXPECT_FALSE(st.ok());
}

}  // namespace
}  // namespace osapi::messaging
