// Offline checks of `caregatectl audit prove` files (v1::AuditEventProof):
// the event's hash (recomputed from the event when the file has it), its
// RFC 6962 inclusion proof, and the checkpoint note it leads to, signed by
// the log's note key and cosigned by witnesses. Needs no gateway and no
// code of ours beyond what docs/transparency.md specifies. Thread-safe.
#ifndef CAREGATE_SERVICES_CTL_PROOF_VERIFY_H_
#define CAREGATE_SERVICES_CTL_PROOF_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "caregate/v1/audit_export.pb.h"

namespace caregate::ctl {

struct ProofReport {
  bool ok = false;
  std::string problem;  // when !ok: the first thing wrong
  std::string origin;
  int64_t seq = 0;
  int64_t tree_size = 0;
  bool event_checked = false;  // the event's content gave event_hash
  int64_t log_signed_at = 0;   // POSIX seconds, from the log's signature
  // Witnesses whose cosignature verified: "name (POSIX seconds)".
  std::vector<std::string> witnesses;
};

// `log_key` is the log's note verifier key (cosignature/v1, named by the
// origin); `witness_keys` the trusted witnesses' verifier keys. The report
// is ok only when the log key signed the checkpoint and at least
// `min_witnesses` of the witness keys cosigned it.
ProofReport VerifyEventProof(const v1::AuditEventProof& proof,
                             const std::string& log_key,
                             const std::vector<std::string>& witness_keys,
                             int min_witnesses);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_PROOF_VERIFY_H_
