// The audit log's JetStream storage: entry <id> is the message on "<subject>.<id>" of the audit
// stream (<ns>-<nats.audit.stream>, subjects <subject>.>). Stream sequences are write order, so
// "newest first" is descending sequence order and a page is a sequence range.
#pragma once

#include <memory>
#include <string>

#include "api/audit.h"
#include "messaging/nats.h"

namespace osapi::api {

class StreamAuditStore : public AuditStore {
 public:
  // How long a batch of writes waits for the stream's acks before its entries count as lost.
  static constexpr std::chrono::seconds kAckTimeout{5};

  // `subject` is the namespaced prefix without the trailing token ("osapi.audit").
  static Result<std::shared_ptr<StreamAuditStore>> open(std::shared_ptr<messaging::Connection> conn,
                                                        std::string stream, std::string subject);

  // Published asynchronously as one batch; the acks are awaited together.
  std::vector<Status> put(const std::vector<AuditRecord>& batch) override;
  // total = the stream's message count. The page is the sequence range ending `offset` below
  // the newest sequence; sequences deleted inside it are skipped, so a page may hold fewer
  // than `limit` entries when messages were removed by hand.
  Result<AuditStorePage> newest(size_t offset, size_t limit) override;
  Result<AuditStorePage> all() override;
  // The last message on <subject>.<id>.
  Result<std::optional<std::string>> get(const std::string& id) override;

  StreamAuditStore(std::shared_ptr<messaging::Connection> conn,
                   std::unique_ptr<messaging::BatchPublisher> publisher, std::string stream,
                   std::string subject);

 private:
  Result<AuditStorePage> read(uint64_t first, uint64_t last, size_t total);

  std::shared_ptr<messaging::Connection> conn_;
  std::unique_ptr<messaging::BatchPublisher> publisher_;
  const std::string stream_;
  const std::string subject_;
};

}  // namespace osapi::api
