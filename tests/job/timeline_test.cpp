#include "job/timeline.h"

#include <gtest/gtest.h>

namespace osapi::job {
namespace {

TEST(TimelineEvent, ParsesWhatItWrites) {
  TimelineEvent e;
  e.timestamp = "2026-12-02T10:00:00.000000001Z";
  e.event = "drain";
  e.hostname = "web1";
  e.message = "Drain initiated via API";
  auto back = TimelineEvent::parse(e.to_json().dump());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->event, "drain");
  EXPECT_EQ(back->hostname, "web1");
  EXPECT_EQ(back->message, "Drain initiated via API");
  EXPECT_EQ(back->error, "");
  EXPECT_GT(back->unix_nano, 0);
  EXPECT_EQ(e.to_json().dump(),
            R"({"timestamp":"2026-12-02T10:00:00.000000001Z","event":"drain","hostname":"web1",)"
            R"("message":"Drain initiated via API"})");
}

TEST(TimelineEvent, RefusesWhatIsNotAnEvent) {
  for (const char* bad : {"", "[]", "null", "{\"event\":\"x\"}", "{\"timestamp\":\"t\"}",
                          "{\"event\":1,\"timestamp\":\"t\"}", "{"}) {
    EXPECT_FALSE(TimelineEvent::parse(bad).ok()) << bad;
  }
}

TEST(TimelineEvent, KeyIsPerSanitizedHostnameAndEvent) {
  EXPECT_EQ(timeline_key("web1", "drain", 42), "timeline.web1.drain.42");
  EXPECT_EQ(timeline_key("web.example.com", "undrain", 7), "timeline.web_example_com.undrain.7");
}

}  // namespace
}  // namespace osapi::job
