// The audit log's JetStream storage: entry <id> is the message on "<subject>.<id>" of the audit
// stream (<ns>-<nats.audit.stream>, subjects <subject>.>). Stream sequences are write order, so
// "newest first" is descending sequence order and a page is a sequence range.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/audit.h"
#include "messaging/nats.h"

namespace osapi::api {

// The sequence range [first, last] of a page: the `limit` entries after skipping the `offset`
// newest, counted over the stored sequences `first_seq`..`last_seq` minus `deleted`
// (ascending). nullopt when the page is empty. The range may contain deleted sequences; the
// stored ones in it are exactly the page.
std::optional<std::pair<uint64_t, uint64_t>> page_range(uint64_t first_seq, uint64_t last_seq,
                                                        const std::vector<uint64_t>& deleted,
                                                        size_t offset, size_t limit);

class StreamAuditStore : public AuditStore {
 public:
  // How long a batch of writes waits for the stream's acks before its entries count as lost.
  static constexpr std::chrono::seconds kAckTimeout{5};

  // `subject` is the namespaced prefix without the trailing token ("osapi.audit").
  static Result<std::shared_ptr<StreamAuditStore>> open(std::shared_ptr<messaging::Connection> conn,
                                                        std::string stream, std::string subject);

  // Published asynchronously as one batch (Nats-Msg-Id = entry id); the acks are awaited
  // together.
  std::vector<Status> put(const std::vector<AuditRecord>& batch) override;
  // put() that also requires the entry's subject to be empty: an entry stored before is
  // refused by the server and counts as Ok.
  std::vector<Status> replay(const std::vector<AuditRecord>& batch) override;
  // The NATS connection is up.
  bool available() override;
  static bool is_already_stored(const Error& e);
  // total = the stream's message count. One stream info (with the deleted sequences, usually
  // none) gives the page's sequence range; one range read fetches it.
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
