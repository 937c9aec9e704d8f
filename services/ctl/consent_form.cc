#include "services/ctl/consent_form.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/crypto/encoding.h"
#include "services/crypto/sha256.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"

namespace caregate::ctl {
namespace {

absl::Status Require(const std::string& value, std::string_view flag) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("missing --", AsAbsl(flag)));
}

absl::Status SetTime(const std::string& text, Direction direction,
                     absl::Time now, std::string_view flag,
                     google::protobuf::Timestamp* out) {
  if (text.empty()) return absl::OkStatus();
  CG_ASSIGN_OR_RETURN(absl::Time t, ParseTimeText(text, direction, now, flag));
  *out = ToProtoTime(t);
  return absl::OkStatus();
}

absl::Status FillGrantee(const ConsentFormFlags& form, v1::Consent* consent) {
  CG_RETURN_IF_ERROR(Require(form.to_org, "to-org"));
  v1::Grantee* grantee = consent->mutable_grantee();
  grantee->set_org_id(form.to_org);
  grantee->set_provider_id(form.to_provider);
  if (!form.to_specialty.empty()) {
    CG_ASSIGN_OR_RETURN(
        v1::Specialty specialty,
        ParseEnum<v1::Specialty>(form.to_specialty, "to-specialty"));
    grantee->set_specialty(specialty);
  }
  return absl::OkStatus();
}

absl::Status FillScope(const ConsentFormFlags& form, v1::Consent* consent) {
  if (form.purposes.empty()) return Require("", "purpose");
  if (form.categories.empty()) return Require("", "category");
  CG_ASSIGN_OR_RETURN(auto purposes,
                      ParseEnumList<v1::Purpose>(form.purposes, "purpose"));
  CG_ASSIGN_OR_RETURN(auto categories,
                      ParseEnumList<v1::Category>(form.categories, "category"));
  CG_ASSIGN_OR_RETURN(auto withheld,
                      ParseEnumList<v1::Category>(form.withheld, "withhold"));
  for (auto p : purposes) consent->add_purposes(p);
  for (auto c : categories) consent->add_categories(c);
  for (auto c : withheld) consent->add_withheld_categories(c);
  return absl::OkStatus();
}

absl::Status FillEvidence(const ConsentFormFlags& form, absl::Time now,
                          v1::ConsentEvidence* e) {
  e->set_information_description(form.description);
  if (!form.document.empty() && !form.document_sha256.empty()) {
    return absl::InvalidArgumentError(
        "give --document or --document-sha256, not both");
  }
  if (form.document.empty()) {
    CG_RETURN_IF_ERROR(Require(form.document_sha256, "document"));
    e->set_document_sha256(form.document_sha256);
  } else {
    CG_ASSIGN_OR_RETURN(std::string hash, Sha256OfFile(form.document));
    e->set_document_sha256(hash);
  }
  if (form.signed_at.empty()) {
    *e->mutable_signed_at() = ToProtoTime(now);
  } else {
    CG_RETURN_IF_ERROR(SetTime(form.signed_at, Direction::kPast, now,
                               "signed-at", e->mutable_signed_at()));
  }
  e->set_signer_name(form.signer_name);
  CG_ASSIGN_OR_RETURN(auto relationship,
                      ParseEnum<v1::SignerRelationship>(
                          form.signer_relationship, "signer-relationship"));
  e->set_signer_relationship(relationship);
  e->set_representative_authority(form.representative_authority);
  e->set_witness(form.witness);
  if (!form.capture_method.empty()) {
    CG_ASSIGN_OR_RETURN(
        auto method,
        ParseEnum<v1::CaptureMethod>(form.capture_method, "capture-method"));
    e->set_capture_method(method);
  }
  e->set_states_right_to_revoke(form.states_right_to_revoke);
  e->set_states_treatment_not_conditioned(
      form.states_treatment_not_conditioned);
  e->set_states_redisclosure_risk(form.states_redisclosure_risk);
  return absl::OkStatus();
}

}  // namespace

const std::string_view kConsentFormFlagsHelp =
    "the form (enum values: short or full names, any case; lists: repeat\n"
    "the flag or separate with commas):\n"
    "  --patient ID           the patient, within your practice (required)\n"
    "  --to-org ORG           the recipient organization (required)\n"
    "  --to-provider ID       narrow it to one clinician there, or\n"
    "  --to-specialty S       to its clinicians of one specialty "
    "(e.g. OBGYN)\n"
    "  --purpose P            TREATMENT_COORDINATION, REFERRAL, "
    "CARE_PLANNING\n"
    "                         (required)\n"
    "  --category C           what may be disclosed, e.g. "
    "TREATMENT_SUMMARY,\n"
    "                         TRAUMA_HISTORY, HOMEWORK_ADHERENCE (required)\n"
    "  --withhold C           what the patient refused for this recipient\n"
    "  --valid-from TIME      when it takes effect (default: when recorded)\n"
    "  --expires TIME|DUR     RFC 3339 time or a duration such as 365d "
    "(required)\n"
    "  --description TEXT     what information the form describes, in its "
    "words\n"
    "  --document FILE        the signed form; hashed locally with SHA-256\n"
    "  --document-sha256 HEX  or its SHA-256, if hashed elsewhere\n"
    "  --signed-at TIME|DUR   when it was signed (default: now; a duration "
    "counts back)\n"
    "  --signer-name NAME     who signed\n"
    "  --signer-relationship R  SELF (default), GUARDIAN, "
    "PERSONAL_REPRESENTATIVE\n"
    "  --representative-authority TEXT  required unless the patient signed\n"
    "  --witness NAME         a witness, if any\n"
    "  --capture-method M     PAPER_SCANNED or ELECTRONIC_SIGNATURE\n"
    "  --states-right-to-revoke            the form states the right to "
    "revoke\n"
    "  --states-treatment-not-conditioned  ... that treatment is not "
    "conditioned\n"
    "  --states-redisclosure-risk          ... the risk of redisclosure\n";

void AddConsentFormFlags(FlagSet& flags, ConsentFormFlags* form) {
  flags.AddString("patient", &form->patient);
  flags.AddString("to-org", &form->to_org);
  flags.AddString("to-provider", &form->to_provider);
  flags.AddString("to-specialty", &form->to_specialty);
  flags.AddList("purpose", &form->purposes);
  flags.AddList("category", &form->categories);
  flags.AddList("withhold", &form->withheld);
  flags.AddString("valid-from", &form->valid_from);
  flags.AddString("expires", &form->expires);
  flags.AddString("description", &form->description);
  flags.AddString("document", &form->document);
  flags.AddString("document-sha256", &form->document_sha256);
  flags.AddString("signed-at", &form->signed_at);
  flags.AddString("signer-name", &form->signer_name);
  flags.AddString("signer-relationship", &form->signer_relationship);
  flags.AddString("representative-authority", &form->representative_authority);
  flags.AddString("witness", &form->witness);
  flags.AddString("capture-method", &form->capture_method);
  flags.AddBool("states-right-to-revoke", &form->states_right_to_revoke);
  flags.AddBool("states-treatment-not-conditioned",
                &form->states_treatment_not_conditioned);
  flags.AddBool("states-redisclosure-risk", &form->states_redisclosure_risk);
}

absl::StatusOr<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read --document ", path));
  }
  Sha256Hasher hasher;
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hasher.Update(std::string_view(buffer.data(), in.gcount()));
  }
  if (in.bad()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read --document ", path));
  }
  Sha256Digest digest = hasher.Finish();
  return HexEncode(std::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

absl::Status BuildConsent(const ConsentFormFlags& form, absl::Time now,
                          v1::Consent* consent) {
  CG_RETURN_IF_ERROR(Require(form.patient, "patient"));
  consent->set_patient_id(form.patient);
  CG_RETURN_IF_ERROR(FillGrantee(form, consent));
  CG_RETURN_IF_ERROR(FillScope(form, consent));
  CG_RETURN_IF_ERROR(Require(form.expires, "expires"));
  CG_RETURN_IF_ERROR(SetTime(form.expires, Direction::kFuture, now, "expires",
                             consent->mutable_expires_at()));
  if (!form.valid_from.empty()) {
    CG_RETURN_IF_ERROR(SetTime(form.valid_from, Direction::kFuture, now,
                               "valid-from", consent->mutable_valid_from()));
  }
  return FillEvidence(form, now, consent->mutable_evidence());
}

}  // namespace caregate::ctl
