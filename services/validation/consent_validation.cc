#include "services/validation/consent_validation.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/repeated_field.h"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/policy/enum_names.h"
#include "services/validation/field_errors.h"
#include "services/validation/request_fields.h"

namespace caregate {
namespace {

using google::protobuf::RepeatedField;
using validation_internal::CheckOptionalEnum;
using validation_internal::CheckRequiredEnum;
using validation_internal::Indexed;
using validation_internal::InvalidField;

absl::StatusOr<Grantee> ValidateGrantee(const v1::Grantee& proto,
                                        const Directory& directory,
                                        const InputLimits& limits) {
  Grantee g{proto.org_id(), proto.provider_id(), proto.specialty()};
  CG_RETURN_IF_ERROR(
      ValidateIdField(g.org_id, "consent.grantee.org_id", limits));
  const OrganizationInfo* org = directory.FindOrganization(g.org_id);
  if (org == nullptr) {
    return InvalidField("consent.grantee.org_id", "unknown organization");
  }
  // A practice has no inbox: a message to it could never be read.
  if (org->kind != v1::ORGANIZATION_KIND_PARTNER_CLINIC) {
    return InvalidField("consent.grantee.org_id",
                        "is a therapy practice, not a partner clinic; a "
                        "consent names the partner clinic that receives");
  }
  CG_RETURN_IF_ERROR(CheckOptionalEnum(proto.specialty(), v1::Specialty_IsValid,
                                       "consent.grantee.specialty"));
  if (g.provider_id.empty()) return g;
  CG_RETURN_IF_ERROR(
      ValidateIdField(g.provider_id, "consent.grantee.provider_id", limits));
  const ProviderInfo* provider = directory.FindProvider(g.provider_id);
  if (provider == nullptr) {
    return InvalidField("consent.grantee.provider_id", "unknown provider");
  }
  if (provider->org_id != g.org_id) {
    return InvalidField("consent.grantee.provider_id",
                        absl::StrCat("provider does not belong to ", g.org_id));
  }
  if (g.specialty != v1::SPECIALTY_UNSPECIFIED &&
      provider->specialty != g.specialty) {
    return InvalidField(
        "consent.grantee.specialty",
        absl::StrCat("provider ", g.provider_id, " does not have specialty ",
                     AsAbsl(ShortName(g.specialty))));
  }
  return g;
}

// A repeated enum as a set; every entry defined and not UNSPECIFIED.
template <typename Enum>
absl::StatusOr<EnumSet<Enum>> ValidateEnumSet(const RepeatedField<int>& values,
                                              bool (*is_valid)(int),
                                              std::string_view field,
                                              bool at_least_one) {
  if (at_least_one && values.empty()) {
    return InvalidField(field, "at least one required");
  }
  EnumSet<Enum> set;
  for (int i = 0; i < values.size(); ++i) {
    CG_RETURN_IF_ERROR(
        CheckRequiredEnum(values.Get(i), is_valid, Indexed(field, i)));
    set.Add(static_cast<Enum>(values.Get(i)));
  }
  return set;
}

absl::Status CheckCategoryRules(const v1::Consent& consent,
                                CategorySet granted) {
  const CategorySet notes_only = [] {
    CategorySet s;
    s.Add(v1::CATEGORY_PSYCHOTHERAPY_NOTES);
    return s;
  }();
  if (granted.Contains(v1::CATEGORY_PSYCHOTHERAPY_NOTES) &&
      !(granted == notes_only)) {
    return InvalidField("consent.categories",
                        "PSYCHOTHERAPY_NOTES needs its own authorization; a "
                        "consent granting it may grant no other category");
  }
  for (int i = 0; i < consent.withheld_categories_size(); ++i) {
    const Category c = consent.withheld_categories(i);
    if (granted.Contains(c)) {
      return InvalidField(
          Indexed("consent.withheld_categories", i),
          absl::StrCat(AsAbsl(ShortName(c)),
                       " is also granted in consent.categories"));
    }
  }
  return absl::OkStatus();
}

// A required timestamp: unset -> "required", out of range -> INVALID_ARGUMENT.
absl::StatusOr<absl::Time> RequiredTime(const google::protobuf::Timestamp& ts,
                                        std::string_view field) {
  if (IsUnset(ts)) return InvalidField(field, "required");
  return FromProtoTime(ts, field);
}

absl::Status ValidateWindow(const v1::Consent& consent, absl::Time now,
                            const InputLimits& limits, ConsentRecord& out) {
  CG_ASSIGN_OR_RETURN(out.expires_at,
                      RequiredTime(consent.expires_at(), "consent.expires_at"));
  if (out.expires_at <= now) {
    return InvalidField("consent.expires_at", "already expired");
  }
  if (out.expires_at - now > limits.max_consent_term) {
    return InvalidField(
        "consent.expires_at",
        absl::StrCat("more than ", limits.max_consent_term / absl::Hours(24),
                     " days after recording (the longest accepted term)"));
  }
  out.valid_from = now;
  if (!IsUnset(consent.valid_from())) {
    CG_ASSIGN_OR_RETURN(out.valid_from, FromProtoTime(consent.valid_from(),
                                                      "consent.valid_from"));
  }
  if (out.valid_from < limits.earliest_signed_at) {
    return InvalidField(
        "consent.valid_from",
        absl::StrCat("before ",
                     absl::FormatTime("%Y-%m-%d", limits.earliest_signed_at,
                                      absl::UTCTimeZone()),
                     ", the earliest accepted date"));
  }
  if (out.expires_at <= out.valid_from) {
    return InvalidField("consent.expires_at",
                        "must be after consent.valid_from");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ValidateDocumentHash(std::string_view hash) {
  constexpr std::string_view kField = "consent.evidence.document_sha256";
  if (hash.empty()) return InvalidField(kField, "required");
  if (hash.size() != 64)
    return InvalidField(kField, "must be 64 hex characters");
  std::string lower(hash);
  for (char& c : lower) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return InvalidField(kField, "must be 64 hex characters");
    }
    c = absl::ascii_tolower(static_cast<unsigned char>(c));
  }
  return lower;
}

// Who signed, when, and with what authority.
absl::Status ValidateSignature(const v1::ConsentEvidence& proto, absl::Time now,
                               absl::Time expires_at, const InputLimits& limits,
                               ConsentEvidence& out) {
  constexpr std::string_view kSignedAt = "consent.evidence.signed_at";
  CG_ASSIGN_OR_RETURN(out.signed_at,
                      RequiredTime(proto.signed_at(), kSignedAt));
  if (out.signed_at > now + kMaxSignatureClockSkew) {
    return InvalidField(kSignedAt, "in the future");
  }
  if (out.signed_at < limits.earliest_signed_at) {
    return InvalidField(
        kSignedAt,
        absl::StrCat("before ",
                     absl::FormatTime("%Y-%m-%d", limits.earliest_signed_at,
                                      absl::UTCTimeZone()),
                     ", the earliest accepted signature date"));
  }
  if (out.signed_at > expires_at) {
    return InvalidField(kSignedAt, "after consent.expires_at");
  }
  CG_RETURN_IF_ERROR(ValidateTextField(proto.signer_name(),
                                       "consent.evidence.signer_name",
                                       kMaxFreeTextBytes, /*required=*/true));
  CG_RETURN_IF_ERROR(CheckRequiredEnum(proto.signer_relationship(),
                                       v1::SignerRelationship_IsValid,
                                       "consent.evidence.signer_relationship"));
  const bool representative =
      proto.signer_relationship() != v1::SIGNER_RELATIONSHIP_SELF;
  CG_RETURN_IF_ERROR(ValidateTextField(
      proto.representative_authority(),
      "consent.evidence.representative_authority", kMaxFreeTextBytes,
      /*required=*/representative));
  CG_RETURN_IF_ERROR(ValidateTextField(proto.witness(),
                                       "consent.evidence.witness",
                                       kMaxFreeTextBytes, /*required=*/false));
  out.signer_name = proto.signer_name();
  out.signer_relationship = proto.signer_relationship();
  out.representative_authority = proto.representative_authority();
  out.witness = proto.witness();
  return absl::OkStatus();
}

// The statements 164.508(c)(2) requires the form to make.
absl::Status ValidateStatements(const v1::ConsentEvidence& proto) {
  if (!proto.states_right_to_revoke()) {
    return InvalidField("consent.evidence.states_right_to_revoke",
                        "the form must state the right to revoke in writing");
  }
  if (!proto.states_treatment_not_conditioned()) {
    return InvalidField("consent.evidence.states_treatment_not_conditioned",
                        "the form must state whether treatment is conditioned "
                        "on signing");
  }
  if (!proto.states_redisclosure_risk()) {
    return InvalidField("consent.evidence.states_redisclosure_risk",
                        "the form must state the risk of redisclosure");
  }
  return absl::OkStatus();
}

absl::StatusOr<ConsentEvidence> ValidateEvidence(
    const v1::ConsentEvidence& proto, absl::Time now, absl::Time expires_at,
    const InputLimits& limits) {
  ConsentEvidence e;
  CG_RETURN_IF_ERROR(ValidateTextField(
      proto.information_description(),
      "consent.evidence.information_description", kMaxFreeTextBytes,
      /*required=*/true));
  e.information_description = proto.information_description();
  CG_ASSIGN_OR_RETURN(e.document_sha256,
                      ValidateDocumentHash(proto.document_sha256()));
  CG_RETURN_IF_ERROR(ValidateSignature(proto, now, expires_at, limits, e));
  CG_RETURN_IF_ERROR(ValidateStatements(proto));
  CG_RETURN_IF_ERROR(CheckOptionalEnum(proto.capture_method(),
                                       v1::CaptureMethod_IsValid,
                                       "consent.evidence.capture_method"));
  e.states_right_to_revoke = true;
  e.states_treatment_not_conditioned = true;
  e.states_redisclosure_risk = true;
  e.capture_method = proto.capture_method();
  return e;
}

}  // namespace

absl::StatusOr<ConsentRecord> ValidateConsentForRecording(
    const v1::Consent& consent, const Directory& directory,
    const InputLimits& limits, absl::Time now) {
  ConsentRecord r;
  CG_RETURN_IF_ERROR(
      ValidateIdField(consent.patient_id(), "consent.patient_id", limits));
  r.patient_id = consent.patient_id();
  CG_ASSIGN_OR_RETURN(r.grantee,
                      ValidateGrantee(consent.grantee(), directory, limits));
  CG_ASSIGN_OR_RETURN(r.purposes, ValidateEnumSet<Purpose>(
                                      consent.purposes(), v1::Purpose_IsValid,
                                      "consent.purposes", true));
  CG_ASSIGN_OR_RETURN(
      r.categories,
      ValidateEnumSet<Category>(consent.categories(), v1::Category_IsValid,
                                "consent.categories", true));
  CG_ASSIGN_OR_RETURN(r.withheld_categories,
                      ValidateEnumSet<Category>(
                          consent.withheld_categories(), v1::Category_IsValid,
                          "consent.withheld_categories", false));
  CG_RETURN_IF_ERROR(CheckCategoryRules(consent, r.categories));
  CG_RETURN_IF_ERROR(ValidateWindow(consent, now, limits, r));
  CG_ASSIGN_OR_RETURN(r.evidence, ValidateEvidence(consent.evidence(), now,
                                                   r.expires_at, limits));
  return r;
}

}  // namespace caregate
