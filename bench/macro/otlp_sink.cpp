#include "otlp_sink.h"

#include <stdexcept>
#include <string>

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

namespace osapi::bench {

namespace {

class ExportReactor final : public grpc::ServerGenericBidiReactor {
 public:
  ExportReactor(std::shared_ptr<std::atomic<uint64_t>> exports,
                std::shared_ptr<std::atomic<uint64_t>> bytes)
      : exports_(std::move(exports)), bytes_(std::move(bytes)) {
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
      return;
    }
    exports_->fetch_add(1);
    bytes_->fetch_add(request_.Length());
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<std::atomic<uint64_t>> exports_, bytes_;
  grpc::ByteBuffer request_;
  grpc::Slice empty_{std::string()};
  grpc::ByteBuffer response_{&empty_, 1};
};

class SinkService final : public grpc::CallbackGenericService {
 public:
  SinkService(std::shared_ptr<std::atomic<uint64_t>> exports,
              std::shared_ptr<std::atomic<uint64_t>> bytes)
      : exports_(std::move(exports)), bytes_(std::move(bytes)) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    return new ExportReactor(exports_, bytes_);
  }

 private:
  std::shared_ptr<std::atomic<uint64_t>> exports_, bytes_;
};

}  // namespace

struct OtlpSink::Impl {
  std::unique_ptr<SinkService> service;
  std::unique_ptr<grpc::Server> server;
};

OtlpSink::OtlpSink()
    : impl_(std::make_unique<Impl>()),
      exports_(std::make_shared<std::atomic<uint64_t>>(0)),
      bytes_(std::make_shared<std::atomic<uint64_t>>(0)) {
  impl_->service = std::make_unique<SinkService>(exports_, bytes_);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterCallbackGenericService(impl_->service.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || port_ == 0) throw std::runtime_error("otlp sink: cannot listen");
}

OtlpSink::~OtlpSink() {
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  impl_->server->Wait();
}

}  // namespace osapi::bench
