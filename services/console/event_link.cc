#include "services/console/event_link.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "services/audit/audit_chain.h"
#include "services/crypto/encoding.h"

namespace caregate::console {
namespace {

std::string Hex(const Hash256& hash) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(hash.data()),
                                    hash.size()));
}

}  // namespace

EventLinkCheck CheckEventLink(const AuditEvent& event,
                              const std::optional<AuditEvent>& predecessor) {
  EventLinkCheck check;
  const Hash256 recomputed = ComputeEventHash(event.prev_hash, event);
  check.recomputed_hash_hex = Hex(recomputed);
  check.hash_ok = recomputed == event.hash;
  if (event.seq == 1) {
    check.link_ok = event.prev_hash == Hash256{};
  } else if (predecessor.has_value() && predecessor->seq == event.seq - 1) {
    check.predecessor_seq = predecessor->seq;
    check.predecessor_hash_hex = Hex(predecessor->hash);
    check.link_ok = event.prev_hash == predecessor->hash;
  }
  if (!check.hash_ok) {
    check.problem = absl::StrCat("seq ", event.seq,
                                 ": hash mismatch (event content changed)");
  } else if (!check.link_ok && event.seq == 1) {
    check.problem = "seq 1: prev_hash is not 32 zero bytes";
  } else if (!check.link_ok && check.predecessor_seq == 0) {
    check.problem = absl::StrCat("seq ", event.seq - 1, ": event missing");
  } else if (!check.link_ok) {
    check.problem =
        absl::StrCat("seq ", event.seq,
                     ": prev_hash does not match hash of seq ", event.seq - 1);
  }
  return check;
}

}  // namespace caregate::console
