// Fuzz target: an auditor's reading of an audit export file
// (ctl::LoadAuditExport, then VerifyAuditExport and CheckExportAgainstTrust
// over its events), fed hostile files.
//
// Input: byte 0 picks the mode.
//  - 0: the rest is the file, as is (JSON, binary or neither).
//  - 1: a valid binary export of 1 to 40 events (byte 1 picks how many),
//    signed with the fuzzer's key, edited by the rest: (2-byte offset,
//    byte) triples overwrite bytes, and a single byte left at the end cuts
//    the file to that many 256ths. Nothing after byte 1: the valid export.
//  - else: the same valid export's JSON form, edited the same way.
//
// Properties: nothing crashes; the valid export unchanged verifies; a
// binary file that protobuf parses whole gets from the streaming reader
// (each event parsed when read, ranges checked apart) exactly the report
// that verifying the whole parsed message gives, and the same trust verdict;
// and the trust verdict from the verified hashes is the one from the events.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "caregate/v1/audit_export.pb.h"
#include "services/audit/audit_chain.h"
#include "services/audit/checkpoint.h"
#include "services/audit_service/audit_event_proto.h"
#include "services/ctl/export_trust.h"
#include "services/ctl/offline_verify.h"
#include "tests/fuzz/audit_fuzz_support.h"
#include "tests/fuzz/fuzz_bytes.h"
#include "tests/fuzz/fuzz_check.h"

namespace caregate::fuzz {
namespace {

// A valid export of `n` events, checkpoint at the last, signed with
// FuzzSigner().
v1::AuditExport ValidExport(int n) {
  AuditChain chain;
  v1::AuditExport x;
  for (int i = 0; i < n; ++i) {
    AuditEvent event;
    event.time = absl::FromUnixMicros(1717406000000000 + i);
    event.actor_principal_id = "dr-rivera";
    event.action = v1::AUDIT_ACTION_DISCLOSURE_PERMITTED;
    event.patient_id = absl::StrCat("p-", i % 3);
    event.recipient_org_id = "core-pelvic-pt";
    event.consent_ids = {"cns-1"};
    event.categories = {v1::CATEGORY_HOMEWORK_ADHERENCE};
    chain.Append(&event);
    *x.add_events() = AuditEventToProto(event);
  }
  *x.mutable_checkpoint() = CheckpointToProto(
      SignCheckpoint("caregate.fuzz/audit", chain.head_seq(), chain.head_hash(),
                     absl::FromUnixSeconds(1717406100), FuzzSigner()));
  *x.add_checkpoints() = x.checkpoint();
  return x;
}

// Overwrites bytes of `file` at (offset, byte) pairs from `in`; an odd byte
// left at the end cuts the file to that fraction of its size.
void Edit(FuzzBytes& in, std::string& file) {
  while (in.remaining() >= 3 && !file.empty()) {
    const size_t at = in.U16() % file.size();
    file[at] = static_cast<char>(in.U8());
  }
  if (in.remaining() == 1 && !file.empty()) {
    file.resize(file.size() * in.U8() / 256);
  }
}

bool SameReport(const ctl::OfflineReport& a, const ctl::OfflineReport& b) {
  return a.ok == b.ok && a.event_count == b.event_count &&
         a.verified_through_seq == b.verified_through_seq &&
         a.first_bad_seq == b.first_bad_seq && a.problem == b.problem &&
         a.checkpoint_seq == b.checkpoint_seq &&
         a.events_after_checkpoint == b.events_after_checkpoint;
}

void Check(const std::string& file, bool must_verify) {
  const Ed25519Verifier& key = FuzzVerifier();
  absl::StatusOr<std::unique_ptr<ctl::LoadedAuditExport>> loaded =
      ctl::LoadAuditExport(file);
  ctl::OfflineReport streamed;
  ctl::TrustReport streamed_trust;
  if (loaded.ok()) {
    const ctl::LoadedAuditExport& x = **loaded;
    std::vector<Hash256> hashes;
    streamed = ctl::VerifyAuditExport(x.head, x.events, key,
                                      /*allow_unsigned_tail=*/false, &hashes);
    if (streamed.ok) {
      CG_FUZZ_CHECK(static_cast<int>(hashes.size()) == x.events.size());
      streamed_trust = ctl::CheckExportAgainstTrust(x.head, x.events, key,
                                                    /*trusted_note=*/"", {});
      // The tree from the verified hashes is the tree from the events.
      const ctl::TrustReport from_hashes = ctl::CheckExportAgainstTrust(
          x.head, x.events, key, /*trusted_note=*/"", {}, &hashes);
      CG_FUZZ_CHECK(from_hashes.ok == streamed_trust.ok &&
                    from_hashes.problem == streamed_trust.problem);
    }
  }
  if (must_verify) CG_FUZZ_CHECK(loaded.ok() && streamed.ok);
  const size_t first = file.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || file[first] == '{') return;
  v1::AuditExport whole;
  if (!whole.ParseFromString(file)) return;
  CG_FUZZ_CHECK(loaded.ok());
  const ctl::OfflineReport direct = ctl::VerifyAuditExport(whole, key);
  CG_FUZZ_CHECK(SameReport(streamed, direct));
  if (direct.ok) {
    const ctl::TrustReport trust =
        ctl::CheckExportAgainstTrust(whole, key, /*trusted_note=*/"", {});
    CG_FUZZ_CHECK(trust.ok == streamed_trust.ok &&
                  trust.problem == streamed_trust.problem);
  }
}

}  // namespace
}  // namespace caregate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace caregate::fuzz;
  FuzzBytes in(data, size);
  const uint8_t mode = in.U8();
  if (mode == 0) {
    Check(std::string(in.Rest()), /*must_verify=*/false);
    return 0;
  }
  const caregate::v1::AuditExport valid = ValidExport(1 + in.U8() % 40);
  std::string file = mode == 1 ? caregate::ctl::AuditExportToBinary(valid)
                               : caregate::ctl::AuditExportToJson(valid);
  const bool unchanged = in.empty();
  Edit(in, file);
  Check(file, /*must_verify=*/unchanged);
  return 0;
}
