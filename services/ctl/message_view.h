// A delivered message as a clinic reads it in `caregatectl inbox show` and
// `watch`: the gateway signature check against the published key, and the
// readable rendering (sections, consents relied on, redisclosure notice).
//
// Pure functions apart from LoadVerifier (reads a file); thread-safe.
#ifndef CAREGATE_SERVICES_CTL_MESSAGE_VIEW_H_
#define CAREGATE_SERVICES_CTL_MESSAGE_VIEW_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "caregate/v1/types.pb.h"
#include "services/crypto/ed25519.h"

namespace caregate::ctl {

// The verifier of the PEM public key at `path`; nullptr (OK) for an empty
// path. FAILED_PRECONDITION naming the file when it cannot be read or is
// not an Ed25519 public key.
absl::StatusOr<std::unique_ptr<Ed25519Verifier>> LoadVerifier(
    const std::string& path);

struct SignatureCheck {
  bool verified = false;
  // "verified (key 0123abcd...)", "DOES NOT VERIFY ...", or "not checked ...".
  std::string summary;
};

// Checks content hash and signature with `verifier`; not checked when it is
// nullptr.
SignatureCheck CheckSignature(const Ed25519Verifier* verifier,
                              const v1::Message& message);

// The whole message for a reader, body text included.
void PrintMessage(const v1::Message& message, const SignatureCheck& check,
                  std::ostream& os);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_MESSAGE_VIEW_H_
