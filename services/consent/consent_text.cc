#include "services/consent/consent_text.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/canonical_bytes.h"

namespace caregate {
namespace {

std::string EvidenceAad(std::string_view consent_id) {
  return absl::StrCat("caregate.consent.evidence.v1:", AsAbsl(consent_id));
}
std::string ReasonAad(std::string_view consent_id) {
  return absl::StrCat("caregate.consent.revocation_reason.v1:",
                      AsAbsl(consent_id));
}

absl::Status Unreadable(const ConsentRecord& consent) {
  return absl::DataLossError(absl::StrCat("consent ", consent.consent_id,
                                          ": stored text cannot be opened"));
}

// Reads one length-prefixed string of CanonicalBytes at `*at`.
bool ReadStr(std::string_view bytes, size_t* at, std::string* out) {
  if (bytes.size() - *at < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) {
    n = (n << 8) | static_cast<unsigned char>(bytes[*at + i]);
  }
  *at += 4;
  if (bytes.size() - *at < n) return false;
  out->assign(bytes.substr(*at, n));
  *at += n;
  return true;
}

}  // namespace

void SealConsentText(const DataCipher& cipher, ConsentRecord* consent) {
  const ConsentEvidence& e = consent->evidence;
  CanonicalBytes plain;
  plain.Str(e.information_description)
      .Str(e.signer_name)
      .Str(e.representative_authority)
      .Str(e.witness);
  consent->sealed.key_id = cipher.key_id();
  consent->sealed.evidence =
      cipher.Seal(plain.bytes(), EvidenceAad(consent->consent_id));
  consent->sealed.revocation_reason =
      consent->revocation.has_value()
          ? SealRevocationReason(cipher, consent->consent_id,
                                 consent->revocation->reason)
          : "";
}

std::string SealRevocationReason(const DataCipher& cipher,
                                 std::string_view consent_id,
                                 std::string_view reason) {
  return cipher.Seal(reason, ReasonAad(consent_id));
}

absl::Status OpenConsentText(const DataCipher& cipher, ConsentRecord* consent) {
  const SealedConsentText& sealed = consent->sealed;
  if (sealed.key_id != cipher.key_id()) return Unreadable(*consent);
  absl::StatusOr<std::string> plain =
      cipher.Open(sealed.evidence, EvidenceAad(consent->consent_id));
  if (!plain.ok()) return Unreadable(*consent);
  ConsentEvidence& e = consent->evidence;
  size_t at = 0;
  if (!ReadStr(*plain, &at, &e.information_description) ||
      !ReadStr(*plain, &at, &e.signer_name) ||
      !ReadStr(*plain, &at, &e.representative_authority) ||
      !ReadStr(*plain, &at, &e.witness) || at != plain->size()) {
    return Unreadable(*consent);
  }
  if (consent->revocation.has_value() && !sealed.revocation_reason.empty()) {
    absl::StatusOr<std::string> reason =
        cipher.Open(sealed.revocation_reason, ReasonAad(consent->consent_id));
    if (!reason.ok()) return Unreadable(*consent);
    consent->revocation->reason = *std::move(reason);
  }
  return absl::OkStatus();
}

ConsentRecord ForCaller(ConsentRecord consent) {
  consent.sealed = SealedConsentText();
  consent.request_digest.clear();
  return consent;
}

}  // namespace caregate
