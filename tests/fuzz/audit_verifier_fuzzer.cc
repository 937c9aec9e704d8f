// Fuzz target: the audit-log verifier (services/audit: ChainVerifier,
// VerifyCheckpoint, CheckCheckpointAgainstChain) fed adversarial logs and
// checkpoints, and asserted unfoolable on tampered copies of valid logs.
//
// Input: byte 0 picks the mode (even: tampered valid log, odd: adversarial
// log); the rest drives it (audit_fuzz_modes.h).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/audit_fuzz_modes.h"
#include "tests/fuzz/fuzz_bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  caregate::fuzz::FuzzBytes in(data, size);
  if (in.U8() & 1) {
    caregate::fuzz::RunAdversarialLog(in);
  } else {
    caregate::fuzz::RunTamperedLog(in);
  }
  return 0;
}
