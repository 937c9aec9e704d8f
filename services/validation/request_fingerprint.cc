#include "services/validation/request_fingerprint.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "google/protobuf/repeated_field.h"
#include "services/common/canonical_bytes.h"

namespace caregate {
namespace {

// A repeated enum as a set: a bit per value (values above 63 kept apart).
void AppendEnumSet(const google::protobuf::RepeatedField<int>& values,
                   CanonicalBytes& out) {
  uint64_t bits = 0;
  std::string large;
  for (int v : values) {
    if (v >= 0 && v < 64) {
      bits |= uint64_t{1} << v;
    } else {
      large += std::to_string(v) + ",";
    }
  }
  out.Int(static_cast<int64_t>(bits)).Str(large);
}

void AppendTime(const google::protobuf::Timestamp& ts, bool set,
                CanonicalBytes& out) {
  out.Int(set ? 1 : 0).Int(ts.seconds()).Int(ts.nanos());
}

}  // namespace

std::string ConsentRequestBytes(const v1::Consent& c) {
  CanonicalBytes out;
  out.Str("caregate.request.consent.v1").Str(c.patient_id());
  out.Str(c.grantee().org_id())
      .Str(c.grantee().provider_id())
      .Int(c.grantee().specialty());
  AppendEnumSet(c.purposes(), out);
  AppendEnumSet(c.categories(), out);
  AppendEnumSet(c.withheld_categories(), out);
  AppendTime(c.valid_from(), c.has_valid_from(), out);
  AppendTime(c.expires_at(), c.has_expires_at(), out);
  const v1::ConsentEvidence& e = c.evidence();
  out.Str(e.information_description())
      .Str(absl::AsciiStrToLower(e.document_sha256()));
  AppendTime(e.signed_at(), e.has_signed_at(), out);
  out.Str(e.signer_name())
      .Int(e.signer_relationship())
      .Str(e.representative_authority())
      .Str(e.witness())
      .Int(e.states_right_to_revoke())
      .Int(e.states_treatment_not_conditioned())
      .Int(e.states_redisclosure_risk())
      .Int(e.capture_method());
  return out.bytes();
}

std::string DisclosureRequestBytes(const v1::Disclosure& d) {
  CanonicalBytes out;
  out.Str("caregate.request.send.v1")
      .Str(d.patient_id())
      .Str(d.recipient_org_id())
      .Str(d.recipient_provider_id())
      .Int(d.purpose())
      .Int(d.redact_uncovered())
      .Count(d.sections_size());
  for (const v1::Section& s : d.sections()) {
    out.Int(s.category()).Str(s.title()).Str(s.body());
  }
  return out.bytes();
}

}  // namespace caregate
