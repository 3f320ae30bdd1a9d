// Integration: the dispatch sweep against a real nats-server. A job whose record was stored
// but whose notification was never published gets it; one already published is not stored
// twice (the job id is the message id); a job with events is left alone.
#include "job/dispatch_sweep.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "common/ids.h"
#include "job/client.h"
#include "job/provision.h"
#include "process.h"

using namespace osapi;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kSubject = "osapi.jobs.query._any";

class DispatchSweep : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* n : {&cfg_.controller.nats, &cfg_.agent.nats}) {
      n->host = "127.0.0.1";
      n->port = nats_.port();
      n->namespace_ = "osapi";
    }
    cfg_.nats.server.namespace_ = "osapi";
    messaging::ConnectOptions o;
    o.url = nats_.url();
    auto c = messaging::Connection::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = *c;
    auto st = job::provision(*conn_, cfg_, "osapi", true);
    ASSERT_TRUE(st.ok()) << st.error().message;
    names_ = job::Names::from(cfg_, "osapi");
    kv_ = *conn_->key_value(names_.jobs_bucket);
    jobs_ = std::make_unique<job::JobClient>(conn_, kv_, names_);
    auto index = jobs_->index();
    ASSERT_TRUE(index.ok()) << index.error().message;
    index_ = *index;
  }

  // A record as the controller stores it before publishing, and nothing else.
  std::string put_record() {
    const std::string id = uuid_v4();
    job::JobRecord rec;
    rec.id = id;
    rec.created = rfc3339(Clock::now());
    rec.subject = kSubject;
    rec.operation = json{{"type", "node.hostname.get"}};
    EXPECT_TRUE(kv_->put(job::job_key(id), rec.to_json().dump()).ok());
    return id;
  }

  // Notifications in the jobs stream, by job id.
  std::map<std::string, int> notifications() {
    std::map<std::string, int> out;
    auto info = conn_->stream_info(names_.stream);
    EXPECT_TRUE(info.ok());
    if (!info.ok()) return out;
    for (uint64_t seq = info->first_sequence; seq != 0 && seq <= info->last_sequence; ++seq) {
      auto data = conn_->stream_message_data(names_.stream, seq);
      if (data.ok()) ++out[*data];
    }
    return out;
  }

  job::SweepOptions now_opts() {
    job::SweepOptions o;
    o.min_age = std::chrono::seconds(0);
    return o;
  }

  osapi::testing::NatsServer nats_;
  config::Config cfg_;
  std::shared_ptr<messaging::Connection> conn_;
  job::Names names_;
  std::shared_ptr<messaging::KeyValue> kv_;
  std::unique_ptr<job::JobClient> jobs_;
  std::shared_ptr<job::JobIndex> index_;
};

TEST_F(DispatchSweep, PublishesAStoredJobThatWasNeverPublishedOnce) {
  const std::string id = put_record();
  EXPECT_TRUE(notifications().empty());
  auto r = job::sweep_undispatched(*conn_, *kv_, *index_, now_opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(notifications(), (std::map<std::string, int>{{id, 1}}));
  // Swept again (still no event): the stream drops the duplicate.
  r = job::sweep_undispatched(*conn_, *kv_, *index_, now_opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(notifications(), (std::map<std::string, int>{{id, 1}}));
}

TEST_F(DispatchSweep, APublishWhoseEventWasLostIsNotStoredTwice) {
  const std::string id = put_record();
  ASSERT_TRUE(conn_->js_publish(kSubject, id, {}, id).ok());
  auto r = job::sweep_undispatched(*conn_, *kv_, *index_, now_opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(notifications(), (std::map<std::string, int>{{id, 1}}));
}

TEST_F(DispatchSweep, LeavesSubmittedAndYoungJobsAlone) {
  auto sub = jobs_->submit(json{{"type", "node.hostname.get"}}, *job::parse_target("_any"),
                           job::OpKind::kQuery);
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  // The "submitted" event is written without waiting: wait until the index holds it.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(index_->sync().ok());
    bool seen = false;
    for (const auto& j : index_->page("", 0, 0).items)
      if (j.id == sub->job_id && !j.events.empty()) seen = true;
    if (seen) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto r = job::sweep_undispatched(*conn_, *kv_, *index_, now_opts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 0);
  // A record younger than min_age may be mid-submit: not swept.
  put_record();
  r = job::sweep_undispatched(*conn_, *kv_, *index_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 0);
  EXPECT_EQ(notifications(), (std::map<std::string, int>{{sub->job_id, 1}}));
}

}  // namespace
