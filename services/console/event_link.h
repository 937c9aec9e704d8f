// The check behind an audit event's detail page: recompute the event's hash
// from its content (services/audit's canonical serialization) and check its
// link to its predecessor, so the page can show prev_hash/hash as checked
// rather than as stored.
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_CONSOLE_EVENT_LINK_H_
#define CAREGATE_SERVICES_CONSOLE_EVENT_LINK_H_

#include <optional>
#include <string>

#include "services/audit/audit_event.h"

namespace caregate::console {

struct EventLinkCheck {
  // SHA-256(prev_hash || canonical bytes) equals the stored hash.
  bool hash_ok = false;
  // The recomputed hash, lowercase hex.
  std::string recomputed_hash_hex;
  // prev_hash equals the predecessor's stored hash (for seq 1: is 32 zero
  // bytes); false also when the predecessor is missing.
  bool link_ok = false;
  // The predecessor's seq and stored hash (hex), when there is one.
  int64_t predecessor_seq = 0;
  std::string predecessor_hash_hex;
  // What is wrong, when either check failed; names seqs only.
  std::string problem;
};

// Checks `event` against `predecessor` (the stored event seq - 1, or
// std::nullopt when the store has none or event.seq is 1).
EventLinkCheck CheckEventLink(const AuditEvent& event,
                              const std::optional<AuditEvent>& predecessor);

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_EVENT_LINK_H_
