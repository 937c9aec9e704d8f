// What an audit export is checked against beyond the gateway's own
// signatures (`audit verify-offline --trusted-checkpoint --witness-key`): a
// checkpoint the auditor saved earlier, and the witnesses' cosignatures on
// the export's checkpoints. Both are state the gateway's operator cannot
// rewrite, so a history rewritten with every hash recomputed and re-signed
// fails here. Run after VerifyAuditExport found the chain intact.
// Thread-safe.
#ifndef CAREGATE_SERVICES_CTL_EXPORT_TRUST_H_
#define CAREGATE_SERVICES_CTL_EXPORT_TRUST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "caregate/v1/audit_export.pb.h"
#include "services/crypto/ed25519.h"
#include "services/ctl/offline_verify.h"

namespace caregate::ctl {

struct TrustReport {
  bool ok = true;
  std::string problem;  // when !ok
  // The trusted checkpoint's size (0 without one).
  int64_t trusted_size = 0;
  // "NAME vouched for size N", one per verified witness cosignature.
  std::vector<std::string> vouched;
};

// `pubkey` is the gateway's key (its note key is derived with the
// checkpoints' origin); `trusted_note` the saved checkpoint note, or empty.
// Fails when the trusted note is not signed by the gateway's key, when the
// export stops before its size ("truncated") or has another tree root at
// that size ("rewritten"), when a checkpoint's tree root is not the export's
// at its size, or when a configured witness key's cosignature does not
// verify.
TrustReport CheckExportAgainstTrust(
    const v1::AuditExport& x, const Ed25519Verifier& pubkey,
    const std::string& trusted_note,
    const std::vector<std::string>& witness_keys);
// The same with the events apart: `head` gives the checkpoints (its events
// are ignored). With `verified_hashes` (every event's hash from seq 1, from
// a VerifyAuditExport that found the chain intact) the tree is built from
// them instead of reading and re-chaining the events.
TrustReport CheckExportAgainstTrust(
    const v1::AuditExport& head, const ExportEvents& events,
    const Ed25519Verifier& pubkey, const std::string& trusted_note,
    const std::vector<std::string>& witness_keys,
    const std::vector<Hash256>* verified_hashes = nullptr);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_EXPORT_TRUST_H_
