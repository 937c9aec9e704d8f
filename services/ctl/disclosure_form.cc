#include "services/ctl/disclosure_form.h"

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/file_contents.h"
#include "services/common/status_macros.h"
#include "services/ctl/output.h"

namespace caregate::ctl {
namespace {

absl::Status Require(const std::string& value, std::string_view flag) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("missing --", AsAbsl(flag)));
}

absl::StatusOr<std::string> ReadSectionFile(const std::string& path) {
  absl::StatusOr<std::string> body = ReadFileContents(path);
  if (!body.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read section file ", path));
  }
  return body;
}

}  // namespace

const std::string_view kDisclosureFlagsHelp =
    "flags (enum values: short or full names, any case):\n"
    "  --patient ID           the patient, within your practice (required)\n"
    "  --to-org ORG           the recipient organization (required)\n"
    "  --to-provider ID       the recipient clinician there (required)\n"
    "  --purpose P            TREATMENT_COORDINATION, REFERRAL or "
    "CARE_PLANNING\n"
    "                         (required)\n"
    "  --section CATEGORY=FILE[:TITLE]\n"
    "                         one section of one category, its text read "
    "from\n"
    "                         FILE, with an optional title (FILE must not "
    "hold\n"
    "                         ':'); repeat for more sections (at least one)\n"
    "  --redact-uncovered     send the covered sections when some are not\n";

void AddDisclosureFlags(FlagSet& flags, DisclosureFlags* disclosure) {
  flags.AddString("patient", &disclosure->patient);
  flags.AddString("to-org", &disclosure->to_org);
  flags.AddString("to-provider", &disclosure->to_provider);
  flags.AddString("purpose", &disclosure->purpose);
  flags.AddList("section", &disclosure->sections);
  flags.AddBool("redact-uncovered", &disclosure->redact_uncovered);
}

absl::StatusOr<SectionSpec> ParseSectionSpec(std::string_view spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--section \"", AsAbsl(spec), "\": expected CATEGORY=FILE[:TITLE]"));
  }
  SectionSpec out;
  CG_ASSIGN_OR_RETURN(out.category,
                      ParseEnum<v1::Category>(spec.substr(0, eq), "section"));
  std::string_view rest = spec.substr(eq + 1);
  const size_t colon = rest.find(':');
  out.file = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) {
    out.title = std::string(rest.substr(colon + 1));
  }
  if (out.file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--section \"", AsAbsl(spec), "\": expected CATEGORY=FILE[:TITLE]"));
  }
  return out;
}

absl::Status BuildDisclosure(const DisclosureFlags& flags,
                             v1::Disclosure* disclosure) {
  CG_RETURN_IF_ERROR(Require(flags.patient, "patient"));
  CG_RETURN_IF_ERROR(Require(flags.to_org, "to-org"));
  CG_RETURN_IF_ERROR(Require(flags.to_provider, "to-provider"));
  CG_RETURN_IF_ERROR(Require(flags.purpose, "purpose"));
  if (flags.sections.empty()) return Require("", "section");
  disclosure->set_patient_id(flags.patient);
  disclosure->set_recipient_org_id(flags.to_org);
  disclosure->set_recipient_provider_id(flags.to_provider);
  CG_ASSIGN_OR_RETURN(v1::Purpose purpose,
                      ParseEnum<v1::Purpose>(flags.purpose, "purpose"));
  disclosure->set_purpose(purpose);
  disclosure->set_redact_uncovered(flags.redact_uncovered);
  for (const std::string& value : flags.sections) {
    CG_ASSIGN_OR_RETURN(SectionSpec spec, ParseSectionSpec(value));
    CG_ASSIGN_OR_RETURN(std::string body, ReadSectionFile(spec.file));
    v1::Section* section = disclosure->add_sections();
    section->set_category(spec.category);
    section->set_title(spec.title);
    section->set_body(std::move(body));
  }
  return absl::OkStatus();
}

}  // namespace caregate::ctl
