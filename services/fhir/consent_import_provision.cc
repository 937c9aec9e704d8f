// Consent.provision -> grantee, purposes, categories, withheld categories
// and validity period.
#include <string>

#include "services/common/status_macros.h"
#include "services/fhir/cat.h"
#include "services/fhir/consent_import_parts.h"
#include "services/fhir/fhir_json.h"
#include "services/fhir/fhir_reader.h"

namespace caregate::fhir::consent_import {
namespace {

// The contained PractitionerRole: organization, and a provider or specialty.
absl::Status ReadGranteeRole(const Json& role, std::string_view path,
                             v1::Grantee* grantee) {
  CG_RETURN_IF_ERROR(CheckObject(
      role, path,
      {"resourceType", "id", "practitioner", "organization", "specialty"}));
  const Json* org = Find(role, "organization");
  if (org == nullptr) {
    return Refuse(Member(path, "organization"),
                  "missing; a caregate grantee is always an organization");
  }
  CG_ASSIGN_OR_RETURN(
      *grantee->mutable_org_id(),
      ReadIdentifierReference(*org, Member(path, "organization"),
                              "Organization", kOrgIdSystem));
  if (const Json* practitioner = Find(role, "practitioner");
      practitioner != nullptr) {
    CG_ASSIGN_OR_RETURN(
        *grantee->mutable_provider_id(),
        ReadIdentifierReference(*practitioner, Member(path, "practitioner"),
                                "Practitioner", kProviderIdSystem));
  }
  CG_ASSIGN_OR_RETURN(const Json* specialties,
                      OptionalArray(role, "specialty", path));
  if (specialties != nullptr) {
    if (specialties->size() != 1) {
      return Refuse(Member(path, "specialty"),
                    "caregate grants to one specialty");
    }
    CG_ASSIGN_OR_RETURN(
        v1::Specialty specialty,
        ReadCaregateConcept<v1::Specialty>((*specialties)[0],
                                           Item(Member(path, "specialty"), 0)));
    grantee->set_specialty(specialty);
  }
  if (grantee->provider_id().empty() &&
      grantee->specialty() == v1::SPECIALTY_UNSPECIFIED) {
    return Refuse(path,
                  "names neither a practitioner nor a specialty; "
                  "reference the Organization instead");
  }
  return absl::OkStatus();
}

// provision.actor: exactly one, the information recipient.
absl::Status ReadActor(const Json& provision, std::string_view path,
                       const Contained& contained, v1::Grantee* grantee) {
  CG_ASSIGN_OR_RETURN(const Json* actors,
                      OptionalArray(provision, "actor", path));
  if (actors == nullptr || actors->size() != 1) {
    return Refuse(Member(path, "actor"),
                  "caregate needs exactly one actor, the recipient");
  }
  const std::string actor_path = Item(Member(path, "actor"), 0);
  const Json& actor = (*actors)[0];
  CG_RETURN_IF_ERROR(CheckObject(actor, actor_path, {"role", "reference"}));
  const Json* role = Find(actor, "role");
  if (role == nullptr) {
    return Refuse(Member(actor_path, "role"),
                  Cat("missing; caregate expects ", kParticipationTypeSystem,
                      "#", kRecipientRole));
  }
  CG_RETURN_IF_ERROR(ExpectConcept(*role, Member(actor_path, "role"),
                                   kParticipationTypeSystem, kRecipientRole));
  const Json* reference = Find(actor, "reference");
  const std::string ref_path = Member(actor_path, "reference");
  if (reference == nullptr) return Refuse(ref_path, "missing");
  const Json* literal = Find(*reference, "reference");
  if (literal == nullptr) {
    if (contained.grantee_role != nullptr) {
      return Refuse(ref_path,
                    "the contained PractitionerRole must be the actor");
    }
    CG_ASSIGN_OR_RETURN(*grantee->mutable_org_id(),
                        ReadIdentifierReference(*reference, ref_path,
                                                "Organization", kOrgIdSystem));
    return absl::OkStatus();
  }
  CG_RETURN_IF_ERROR(
      CheckObject(*reference, ref_path, {"reference", "type", "display"}));
  if (!literal->is_string() ||
      literal->get<std::string>() != Cat("#", kGranteeContainedId) ||
      contained.grantee_role == nullptr) {
    return Refuse(Member(ref_path, "reference"),
                  Cat("caregate reads only \"#", kGranteeContainedId,
                      "\", a contained PractitionerRole, or an "
                      "Organization by identifier"));
  }
  return ReadGranteeRole(*contained.grantee_role, contained.grantee_path,
                         grantee);
}

// provision.action, when given: only "disclose".
absl::Status ReadActions(const Json& provision, std::string_view path) {
  CG_ASSIGN_OR_RETURN(const Json* actions,
                      OptionalArray(provision, "action", path));
  for (size_t i = 0; actions != nullptr && i < actions->size(); ++i) {
    CG_RETURN_IF_ERROR(ExpectConcept((*actions)[i],
                                     Item(Member(path, "action"), i),
                                     kConsentActionSystem, kDiscloseAction));
  }
  return absl::OkStatus();
}

absl::Status ReadPurposes(const Json& provision, std::string_view path,
                          v1::Consent* out) {
  CG_ASSIGN_OR_RETURN(const Json* purposes,
                      OptionalArray(provision, "purpose", path));
  if (purposes == nullptr) {
    return Refuse(Member(path, "purpose"),
                  Cat("missing; caregate needs at least one purpose "
                      "of ",
                      kPurposeSystem));
  }
  for (size_t i = 0; i < purposes->size(); ++i) {
    CG_ASSIGN_OR_RETURN(v1::Purpose purpose,
                        ReadCaregateCoding<v1::Purpose>(
                            (*purposes)[i], Item(Member(path, "purpose"), i)));
    out->add_purposes(purpose);
  }
  return absl::OkStatus();
}

// provision.code (or a nested provision's): one category per concept.
template <typename Add>
absl::Status ReadCategories(const Json& provision, std::string_view path,
                            Add add) {
  CG_ASSIGN_OR_RETURN(const Json* codes,
                      OptionalArray(provision, "code", path));
  if (codes == nullptr) {
    return Refuse(Member(path, "code"),
                  Cat("missing; caregate needs at least one category "
                      "of ",
                      kCategorySystem));
  }
  for (size_t i = 0; i < codes->size(); ++i) {
    CG_ASSIGN_OR_RETURN(v1::Category category,
                        ReadCaregateConcept<v1::Category>(
                            (*codes)[i], Item(Member(path, "code"), i)));
    add(category);
  }
  return absl::OkStatus();
}

absl::Status ReadPeriod(const Json& provision, std::string_view path,
                        v1::Consent* out) {
  const std::string period_path = Member(path, "period");
  const Json* period = Find(provision, "period");
  if (period == nullptr) {
    return Refuse(period_path,
                  "missing; caregate needs the date the consent expires");
  }
  CG_RETURN_IF_ERROR(CheckObject(*period, period_path, {"start", "end"}));
  CG_ASSIGN_OR_RETURN(std::optional<std::string> start,
                      OptionalString(*period, "start", period_path));
  if (start.has_value()) {
    CG_ASSIGN_OR_RETURN(*out->mutable_valid_from(),
                        ParseFhirInstant(*start, Member(period_path, "start")));
  }
  CG_ASSIGN_OR_RETURN(
      std::string end,
      RequiredString(*period, "end", period_path,
                     "caregate needs the date the consent expires"));
  CG_ASSIGN_OR_RETURN(*out->mutable_expires_at(),
                      ParseFhirInstant(end, Member(period_path, "end")));
  return absl::OkStatus();
}

// The nested provisions: one level of "deny" with codes only.
absl::Status ReadWithheld(const Json& provision, std::string_view path,
                          v1::Consent* out) {
  CG_ASSIGN_OR_RETURN(const Json* nested,
                      OptionalArray(provision, "provision", path));
  for (size_t i = 0; nested != nullptr && i < nested->size(); ++i) {
    const std::string item = Item(Member(path, "provision"), i);
    const Json& deny = (*nested)[i];
    CG_RETURN_IF_ERROR(CheckObject(deny, item, {"type", "code"}));
    // Not CG_ASSIGN_OR_RETURN: GCC 12 warns falsely on the moved string.
    const absl::StatusOr<std::string> type = RequiredString(
        deny, "type", item, "caregate reads nested \"deny\" provisions");
    if (!type.ok()) return type.status();
    if (*type != "deny") {
      return Refuse(Member(item, "type"),
                    Cat("\"", *type,
                        "\" is not supported; caregate reads only "
                        "nested \"deny\" provisions of categories"));
    }
    CG_RETURN_IF_ERROR(ReadCategories(deny, item, [out](v1::Category c) {
      out->add_withheld_categories(c);
    }));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadProvision(const Json& consent, const Contained& contained,
                           v1::Consent* out) {
  const std::string path = Member(kRoot, "provision");
  const Json* provision = Find(consent, "provision");
  if (provision == nullptr) {
    return Refuse(path, "missing; caregate needs the permit provision");
  }
  CG_RETURN_IF_ERROR(CheckObject(
      *provision, path,
      {"type", "period", "actor", "action", "purpose", "code", "provision"}));
  CG_ASSIGN_OR_RETURN(std::string type,
                      RequiredString(*provision, "type", path,
                                     "caregate reads a \"permit\" provision"));
  if (type != "permit") {
    return Refuse(Member(path, "type"),
                  Cat("\"", type,
                      "\" is not supported; caregate "
                      "records consents that permit disclosure"));
  }
  CG_RETURN_IF_ERROR(ReadPeriod(*provision, path, out));
  CG_RETURN_IF_ERROR(
      ReadActor(*provision, path, contained, out->mutable_grantee()));
  CG_RETURN_IF_ERROR(ReadActions(*provision, path));
  CG_RETURN_IF_ERROR(ReadPurposes(*provision, path, out));
  CG_RETURN_IF_ERROR(ReadCategories(
      *provision, path, [out](v1::Category c) { out->add_categories(c); }));
  return ReadWithheld(*provision, path, out);
}

}  // namespace caregate::fhir::consent_import
