// Connection: connect/auth/reconnect, core publish/request, JetStream publish, readiness.
#include <arpa/inet.h>
#include <netdb.h>
#include <nats/nats.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/strings.h"
#include "logging/logger.h"
#include "messaging/internal.h"
#include "messaging/nkeys.h"

namespace osapi::messaging {
namespace detail {

Core::~Core() {
  if (js) jsCtx_Destroy(js);
  if (nc) {
    natsConnection_Close(nc);
    natsConnection_Destroy(nc);
  }
}

namespace {

constexpr int kReconnectBufferBytes = 8 * 1024 * 1024;

// Reconnect backoff: 250 ms doubling up to 5 s, plus up to 20 % jitter.
int64_t reconnect_delay(natsConnection*, int attempts, void*) {
  int64_t delay = 250;
  for (int i = 1; i < attempts && delay < 5000; ++i) delay *= 2;
  if (delay > 5000) delay = 5000;
  return delay + static_cast<int64_t>(std::rand() % (delay / 5 + 1));
}

// The server's INFO line (sent first on every TCP connection) holds its version; cnats 3.4.1
// does not expose it, so read it from a short-lived socket of our own.
std::string read_server_version(const std::string& url, int timeout_ms) {
  std::string hostport = url;
  if (auto p = hostport.find("://"); p != std::string::npos) hostport = hostport.substr(p + 3);
  if (auto at = hostport.rfind('@'); at != std::string::npos) hostport = hostport.substr(at + 1);
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) return "";
  std::string host = hostport.substr(0, colon);
  const std::string port = hostport.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return "";
  std::string version;
  for (addrinfo* ai = res; ai != nullptr && version.empty(); ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      std::string buf;
      char chunk[1024];
      pollfd pfd{fd, POLLIN, 0};
      while (buf.find("\r\n") == std::string::npos && buf.size() < 65536 &&
             poll(&pfd, 1, timeout_ms) > 0) {
        const ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
      }
      const std::string key = "\"version\":\"";
      if (auto k = buf.find(key); k != std::string::npos) {
        auto end = buf.find('"', k + key.size());
        if (end != std::string::npos) version = buf.substr(k + key.size(), end - k - key.size());
      }
    }
    close(fd);
  }
  freeaddrinfo(res);
  return version;
}

std::string url_of(natsConnection* nc) {
  char buf[512] = {0};
  if (natsConnection_GetConnectedUrl(nc, buf, sizeof(buf)) != NATS_OK) return "";
  return buf;
}

void on_disconnected(natsConnection* nc, void*) {
  if (natsConnection_IsClosed(nc)) return;  // an orderly close is not news
  logging::warn("NATS connection lost, reconnecting", {{"component", "messaging"}});
}

void on_reconnected(natsConnection* nc, void*) {
  logging::info("NATS connection restored", {{"component", "messaging"}, {"url", url_of(nc)}});
}

// cnats 3.4.1 prints user and password into the CONNECT JSON without escaping, so a quote or
// backslash would break the handshake: hand it JSON-escaped text.
std::string json_escape(const std::string& in) {
  std::string out;
  append_json_escaped(out, in);
  return out;
}

Result<std::string> read_seed(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kInvalidArgument, "cannot read nkey seed file " + path);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (!line.empty() && line[0] == 'S') return line;
  }
  return Error(ErrorCode::kInvalidArgument, "no nkey seed (a line starting with 'S') in " + path);
}

}  // namespace

Result<std::unique_ptr<jsStreamInfo, void (*)(jsStreamInfo*)>> get_stream_info(
    Core& core, const std::string& name, bool deleted_details) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Stream.Info.DeletedDetails = deleted_details;
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&si, core.js, name.c_str(), &jo, &jerr);
  if (s != NATS_OK) {
    if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr)
      return Error(ErrorCode::kNotFound, "stream " + name + " not found");
    return nats_error("stream info " + name, s, jerr);
  }
  return std::unique_ptr<jsStreamInfo, void (*)(jsStreamInfo*)>(si, jsStreamInfo_Destroy);
}

}  // namespace detail

using detail::nats_error;

Result<std::shared_ptr<Connection>> Connection::connect(const ConnectOptions& o) {
  // cnats spins up to 2000 times on a busy mutex before sleeping. With many request threads on
  // few cores the spinning steals the core from the holder: under wrk on 2 cores, spin 0 cut the
  // API's CPU per /node/hostname request by about 15 % (bench/results/analysis.md). Takes effect
  // only if this is the first cnats call of the process.
  static const bool opened = [] {
    (void)nats_Open(0);
    return true;
  }();
  (void)opened;
  natsOptions* raw = nullptr;
  natsStatus s = natsOptions_Create(&raw);
  if (s != NATS_OK) return nats_error("create NATS options", s);
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> opts(raw, natsOptions_Destroy);

  s = natsOptions_SetURL(opts.get(), o.url.c_str());
  if (s == NATS_OK && !o.name.empty()) s = natsOptions_SetName(opts.get(), o.name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts.get(), o.connect_timeout_ms);
  // Publishes on the request path must not wait for the 1 ms flusher (stack.md trap 2).
  if (s == NATS_OK) s = natsOptions_SetSendAsap(opts.get(), true);
  // A broker restart (its supervisor killed and started again) must never make a long-running
  // role give up: retry without limit, backing off, and hold what is published meanwhile in a
  // reconnect buffer (sent on reconnect; a publish that would overflow it fails at once).
  if (s == NATS_OK && o.reconnect_forever) {
    s = natsOptions_SetMaxReconnect(opts.get(), -1);
    if (s == NATS_OK)
      s = natsOptions_SetCustomReconnectDelay(opts.get(), detail::reconnect_delay, nullptr);
    if (s == NATS_OK)
      s = natsOptions_SetReconnectBufSize(opts.get(), detail::kReconnectBufferBytes);
  }
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts.get(), detail::on_disconnected, nullptr);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts.get(), detail::on_reconnected, nullptr);
  if (s != NATS_OK) return nats_error("set NATS options", s);

  if (o.auth_type == "none" || o.auth_type.empty()) {
    // nothing
  } else if (o.auth_type == "user_pass") {
    s = natsOptions_SetUserInfo(opts.get(), detail::json_escape(o.username).c_str(),
                                detail::json_escape(o.password).c_str());
    if (s != NATS_OK) return nats_error("set NATS user", s);
  } else if (o.auth_type == "nkey") {
    auto seed = detail::read_seed(o.nkey_file);
    if (!seed.ok()) return seed.error();
    auto pub = nkey_public_from_seed(*seed);
    if (!pub.ok()) return pub.error().wrap("nkey seed file " + o.nkey_file);
    s = natsOptions_SetNKeyFromSeed(opts.get(), pub->c_str(), o.nkey_file.c_str());
    if (s != NATS_OK) return nats_error("set NATS nkey", s);
  } else {
    return Error(ErrorCode::kInvalidArgument,
                 "unsupported authentication method: \"" + o.auth_type + "\"");
  }

  auto core = std::make_shared<detail::Core>();
  core->url = o.url;
  s = natsConnection_Connect(&core->nc, opts.get());
  if (s != NATS_OK) {
    Error e = nats_error("cannot connect to NATS at " + o.url, s);
    if (e.code == ErrorCode::kInternal) e.code = ErrorCode::kUnavailable;
    return e;
  }
  // Async publishes (KV writes that nothing waits on) report failures here: log, never block.
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 4096;
  jo.PublishAsync.ErrHandler = [](jsCtx*, jsPubAckErr* pae, void*) {
    logging::warn("async JetStream publish failed",
                  {{"subject", pae->Msg ? natsMsg_GetSubject(pae->Msg) : ""},
                   {"error", pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err)}});
  };
  s = natsConnection_JetStream(&core->js, core->nc, &jo);
  if (s != NATS_OK) return nats_error("JetStream context", s);

  auto impl = std::make_unique<Impl>();
  impl->core = std::move(core);
  return std::make_shared<Connection>(std::move(impl));
}

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

bool Connection::connected() const {
  return natsConnection_Status(impl_->core->nc) == NATS_CONN_STATUS_CONNECTED;
}

std::string Connection::connected_url() const {
  return detail::url_of(impl_->core->nc);
}

std::string Connection::server_version() const {
  auto& core = *impl_->core;
  std::lock_guard<std::mutex> lock(core.mu);
  if (core.server_version.empty()) {
    std::string url = connected_url();
    if (url.empty()) url = core.url;
    core.server_version = detail::read_server_version(url, 2000);
  }
  return core.server_version;
}

Status Connection::publish(const std::string& subject, const std::string& data,
                           const Headers& headers) {
  natsStatus s;
  if (headers.empty()) {
    s = natsConnection_Publish(impl_->core->nc, subject.c_str(), data.data(),
                               static_cast<int>(data.size()));
  } else {
    Error err;
    natsMsg* msg = detail::make_msg(subject, data, headers, err);
    if (msg == nullptr) return err;
    s = natsConnection_PublishMsg(impl_->core->nc, msg);
    natsMsg_Destroy(msg);
  }
  if (s != NATS_OK) return nats_error("publish " + subject, s);
  return Status::Ok();
}

Result<std::string> Connection::request(const std::string& subject, const std::string& data,
                                        Duration timeout) {
  natsMsg* reply = nullptr;
  const natsStatus s =
      natsConnection_Request(&reply, impl_->core->nc, subject.c_str(), data.data(),
                             static_cast<int>(data.size()), detail::to_millis(timeout));
  if (s != NATS_OK) return nats_error("request " + subject, s);
  std::string out;
  if (const char* d = natsMsg_GetData(reply))
    out.assign(d, static_cast<size_t>(natsMsg_GetDataLength(reply)));
  natsMsg_Destroy(reply);
  return out;
}

Result<uint64_t> Connection::js_publish(const std::string& subject, const std::string& data,
                                        const Headers& headers, const std::string& msg_id) {
  Error err;
  natsMsg* msg = detail::make_msg(subject, data, headers, err);
  if (msg == nullptr) return err;
  jsPubOptions po;
  jsPubOptions_Init(&po);
  if (!msg_id.empty()) po.MsgId = msg_id.c_str();
  jsPubAck* pa = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_PublishMsg(&pa, impl_->core->js, msg, &po, &jerr);
  natsMsg_Destroy(msg);
  if (s != NATS_OK) return nats_error("jetstream publish " + subject, s, jerr);
  const uint64_t seq = pa->Sequence;
  jsPubAck_Destroy(pa);
  return seq;
}

Result<std::string> Connection::stream_message_data(const std::string& stream, uint64_t seq) {
  natsMsg* msg = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetMsg(&msg, impl_->core->js, stream.c_str(), seq, nullptr, &jerr);
  if (s != NATS_OK)
    return nats_error("get message " + std::to_string(seq) + " of stream " + stream, s, jerr);
  std::string out;
  if (const char* d = natsMsg_GetData(msg))
    out.assign(d, static_cast<size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
  return out;
}

Status Connection::jetstream_ready(Duration timeout) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = detail::to_millis(timeout);
  jsAccountInfo* ai = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetAccountInfo(&ai, impl_->core->js, &jo, &jerr);
  if (s != NATS_OK) return nats_error("jetstream account info", s, jerr);
  jsAccountInfo_Destroy(ai);
  return Status::Ok();
}

Status Connection::flush_async_publishes(Duration timeout) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = detail::to_millis(timeout);
  const natsStatus s = js_PublishAsyncComplete(impl_->core->js, &po);
  if (s != NATS_OK) return nats_error("complete async publishes", s);
  return Status::Ok();
}

Result<std::unique_ptr<Subscription>> Connection::subscribe(
    const std::string& subject, std::function<void(Message&&)> handler) {
  auto impl = std::make_unique<Subscription::Impl>();
  impl->core = impl_->core;
  impl->handler = std::move(handler);
  const natsStatus s = natsConnection_Subscribe(
      &impl->sub, impl_->core->nc, subject.c_str(),
      [](natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
        auto* self = static_cast<Subscription::Impl*>(closure);
        self->handler(detail::wrap_message(msg, self->core));
      },
      impl.get());
  if (s != NATS_OK) return nats_error("subscribe " + subject, s);
  // No pending limit surprises on a busy API: messages are small (KV response notifications).
  natsSubscription_SetPendingLimits(impl->sub, -1, -1);
  return std::make_unique<Subscription>(std::move(impl));
}

Subscription::Subscription(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Subscription::~Subscription() = default;

void Connection::close() {
  natsConnection_Close(impl_->core->nc);
}

}  // namespace osapi::messaging
