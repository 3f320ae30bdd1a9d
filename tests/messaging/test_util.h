// Shared fixture: one real nats-server and a connection per test.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "messaging/nats.h"
#include "process.h"

namespace osapi::messaging {

class NatsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<osapi::testing::NatsServer>();
    ConnectOptions o;
    o.url = server_->url();
    o.name = "messaging-test";
    auto c = Connection::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = *c;
  }
  void TearDown() override {
    conn_.reset();
    server_.reset();
  }

  std::unique_ptr<osapi::testing::NatsServer> server_;
  std::shared_ptr<Connection> conn_;
};

}  // namespace osapi::messaging
