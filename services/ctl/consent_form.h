// The flags of `caregatectl consent record`, one per element of the signed
// form (v1.Consent and v1.ConsentEvidence), and their translation into the
// Consent to record.
//
// Thread-compatible. BuildConsent reads the --document file.
#ifndef CAREGATE_SERVICES_CTL_CONSENT_FORM_H_
#define CAREGATE_SERVICES_CTL_CONSENT_FORM_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/ctl/flags.h"

namespace caregate::ctl {

struct ConsentFormFlags {
  std::string patient;
  std::string to_org;
  std::string to_provider;
  std::string to_specialty;
  std::vector<std::string> purposes;
  std::vector<std::string> categories;
  std::vector<std::string> withheld;
  std::string valid_from;
  std::string expires;
  std::string description;
  std::string document;         // a file, hashed locally
  std::string document_sha256;  // or its hash
  std::string signed_at;
  std::string signer_name;
  std::string signer_relationship = "SELF";
  std::string representative_authority;
  std::string witness;
  std::string capture_method;
  bool states_right_to_revoke = false;
  bool states_treatment_not_conditioned = false;
  bool states_redisclosure_risk = false;
};

void AddConsentFormFlags(FlagSet& flags, ConsentFormFlags* form);

// The help text of those flags.
extern const std::string_view kConsentFormFlagsHelp;

// Lowercase hex SHA-256 of the file at `path`; FAILED_PRECONDITION naming
// the file when it cannot be read.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

// Fills `consent` from the flags. INVALID_ARGUMENT naming the flag for a
// missing required flag (--patient, --to-org, --purpose, --category,
// --expires, --document or --document-sha256) or a malformed value; the
// gateway checks the rest. FAILED_PRECONDITION for an unreadable document.
// Times given as durations count from `now`; --signed-at defaults to now.
absl::Status BuildConsent(const ConsentFormFlags& form, absl::Time now,
                          v1::Consent* consent);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_CONSENT_FORM_H_
