// `caregatectl consent record|revoke|get|list|export`: a therapist's
// consents, also as FHIR R4 Consent resources (import and export).
#include <sstream>

#include "absl/strings/str_cat.h"
#include "caregate/v1/consent_service.grpc.pb.h"
#include "services/common/absl_compat.h"
#include "services/common/file_contents.h"
#include "services/common/proto_time.h"
#include "services/crypto/random.h"
#include "services/crypto/sha256.h"
#include "services/ctl/client_command.h"
#include "services/ctl/commands.h"
#include "services/ctl/consent_form.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"
#include "services/fhir/consent_export.h"
#include "services/fhir/consent_import.h"

namespace caregate::ctl {
namespace {

std::string Grantee(const v1::Grantee& g) {
  std::string out = g.org_id();
  if (!g.provider_id().empty())
    absl::StrAppend(&out, ", provider ", g.provider_id());
  if (g.specialty() != v1::SPECIALTY_UNSPECIFIED) {
    absl::StrAppend(&out, ", specialty ", Short(g.specialty()));
  }
  return out;
}

// The consent as "key  value" lines. Leaves out the signer's and witness's
// names.
void PrintConsent(const v1::Consent& c, std::ostream& os) {
  const v1::ConsentEvidence& e = c.evidence();
  std::vector<std::pair<std::string, std::string>> fields = {
      {"consent", c.consent_id()},
      {"patient", c.patient_id()},
      {"practice", c.practice_org_id()},
      {"grantee", Grantee(c.grantee())},
      {"purposes", JoinShort<v1::Purpose>(c.purposes())},
      {"categories", JoinShort<v1::Category>(c.categories())},
      {"withheld", JoinShort<v1::Category>(c.withheld_categories())},
      {"valid", absl::StrCat(HumanTime(c.valid_from()), " until ",
                             HumanTime(c.expires_at()))},
      {"status",
       absl::StrCat(Short(c.status()), " (revision ", c.revision(), ")")},
      {"form", absl::StrCat("signed ", HumanTime(e.signed_at()), " by ",
                            Short(e.signer_relationship()), ", ",
                            Short(e.capture_method()),
                            e.witness().empty() ? "" : ", witnessed")},
      {"describes", OrDash(e.information_description())},
      {"document", absl::StrCat("sha256 ", e.document_sha256())},
      {"recorded",
       absl::StrCat(HumanTime(c.recorded_at()), " by ", c.recorded_by())},
  };
  if (c.status() == v1::CONSENT_STATUS_REVOKED) {
    fields.push_back(
        {"revoked", absl::StrCat(HumanTime(c.revoked_at()), " by ",
                                 c.revoked_by(), ": ", c.revocation_reason())});
  }
  PrintFields(fields, os);
}

int PrintConsentResult(ClientCommand& cmd, const v1::Consent& consent) {
  if (cmd.json()) {
    PrintJsonLine(consent, cmd.out());
  } else {
    PrintConsent(consent, cmd.out());
  }
  return kExitOk;
}

// True when any flag of the paper form was given.
bool AnyFormFlag(const ConsentFormFlags& f) {
  const ConsentFormFlags defaults;
  return !f.patient.empty() || !f.to_org.empty() || !f.to_provider.empty() ||
         !f.to_specialty.empty() || !f.purposes.empty() ||
         !f.categories.empty() || !f.withheld.empty() ||
         !f.valid_from.empty() || !f.expires.empty() ||
         !f.description.empty() || !f.document.empty() ||
         !f.document_sha256.empty() || !f.signed_at.empty() ||
         !f.signer_name.empty() ||
         f.signer_relationship != defaults.signer_relationship ||
         !f.representative_authority.empty() || !f.witness.empty() ||
         !f.capture_method.empty() || f.states_right_to_revoke ||
         f.states_treatment_not_conditioned || f.states_redisclosure_risk;
}

// The consent of a FHIR R4 Consent resource in the file at `path`.
// INVALID_ARGUMENT naming "--fhir" and the FHIR element it cannot map;
// FAILED_PRECONDITION when the file cannot be read.
absl::Status ConsentFromFhirFile(const std::string& path,
                                 const ConsentFormFlags& form,
                                 v1::Consent* consent) {
  if (AnyFormFlag(form)) {
    return absl::InvalidArgumentError(
        "--fhir: the consent comes from the file alone; leave out the form "
        "flags (--patient, --to-org, ...)");
  }
  absl::StatusOr<std::string> text = ReadFileContents(path);
  if (!text.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  }
  absl::StatusOr<v1::Consent> read = fhir::ConsentFromFhirJson(*text);
  if (!read.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--fhir ", path, ": ", read.status().message()));
  }
  *consent = *std::move(read);
  return absl::OkStatus();
}

int RunRecord(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl consent record", io);
  ConsentFormFlags form;
  AddConsentFormFlags(cmd.flags(), &form);
  std::string request_id, fhir_path;
  cmd.flags().AddString("request-id", &request_id);
  cmd.flags().AddString("fhir", &fhir_path);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  v1::RecordConsentRequest request;
  absl::Status built =
      fhir_path.empty()
          ? BuildConsent(form, absl::Now(), request.mutable_consent())
          : ConsentFromFhirFile(fhir_path, form, request.mutable_consent());
  if (!built.ok()) {
    return built.code() == absl::StatusCode::kInvalidArgument
               ? cmd.Usage(std::string(built.message()))
               : cmd.Fail(std::string(built.message()));
  }
  request.set_request_id(request_id.empty() ? NewUuid() : request_id);
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::ConsentService::NewStub(cmd.channel());
  v1::Consent consent;
  grpc::Status status =
      stub->RecordConsent(cmd.Context().get(), request, &consent);
  if (!status.ok()) return cmd.RpcFailed(status);
  return PrintConsentResult(cmd, consent);
}

int RunRevoke(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl consent revoke", io);
  v1::RevokeConsentRequest request;
  cmd.flags().AddString("reason", request.mutable_reason());
  auto ids = cmd.Parse(args, 1, 1, "CONSENT_ID");
  if (!ids) return cmd.exit_code();
  if (request.reason().empty()) return cmd.Usage("missing --reason");
  request.set_consent_id(ids->front());
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::ConsentService::NewStub(cmd.channel());
  v1::Consent consent;
  grpc::Status status =
      stub->RevokeConsent(cmd.Context().get(), request, &consent);
  if (!status.ok()) return cmd.RpcFailed(status);
  return PrintConsentResult(cmd, consent);
}

int RunGet(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl consent get", io);
  auto ids = cmd.Parse(args, 1, 1, "CONSENT_ID");
  if (!ids || !cmd.Connect()) return cmd.exit_code();
  v1::GetConsentRequest request;
  request.set_consent_id(ids->front());
  auto stub = v1::ConsentService::NewStub(cmd.channel());
  v1::Consent consent;
  grpc::Status status =
      stub->GetConsent(cmd.Context().get(), request, &consent);
  if (!status.ok()) return cmd.RpcFailed(status);
  return PrintConsentResult(cmd, consent);
}

int RunList(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl consent list", io);
  v1::ListConsentsRequest request;
  bool all = false;
  cmd.flags().AddString("patient", request.mutable_patient_id());
  cmd.flags().AddString("practice", request.mutable_practice_org_id());
  cmd.flags().AddBool("all", &all);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  if (request.patient_id().empty()) return cmd.Usage("missing --patient");
  request.set_include_inactive(all);
  request.set_page_size(500);
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::ConsentService::NewStub(cmd.channel());
  Table table({"CONSENT", "GRANTEE", "PURPOSES", "CATEGORIES", "WITHHELD",
               "EXPIRES", "STATUS"});
  do {
    v1::ListConsentsResponse response;
    grpc::Status status =
        stub->ListConsents(cmd.Context().get(), request, &response);
    if (!status.ok()) return cmd.RpcFailed(status);
    for (const v1::Consent& c : response.consents()) {
      if (cmd.json()) {
        PrintJsonLine(c, cmd.out());
        continue;
      }
      table.AddRow({c.consent_id(), Grantee(c.grantee()),
                    JoinShort<v1::Purpose>(c.purposes()),
                    JoinShort<v1::Category>(c.categories()),
                    JoinShort<v1::Category>(c.withheld_categories()),
                    HumanTime(c.expires_at()), Short(c.status())});
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  if (!cmd.json()) {
    if (table.empty()) {
      cmd.out() << "No " << (all ? "" : "active ") << "consents for patient "
                << request.patient_id() << ".\n";
    } else {
      table.Print(cmd.out());
    }
  }
  return kExitOk;
}

int RunExport(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl consent export", io);
  v1::ListConsentsRequest request;
  std::string format, out_path;
  bool all = false;
  cmd.flags().AddString("patient", request.mutable_patient_id());
  cmd.flags().AddString("practice", request.mutable_practice_org_id());
  cmd.flags().AddString("format", &format);
  cmd.flags().AddString("out", &out_path);
  cmd.flags().AddBool("all", &all);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  if (request.patient_id().empty()) return cmd.Usage("missing --patient");
  if (format != "fhir") {
    return cmd.Usage(format.empty() ? "missing --format fhir"
                                    : absl::StrCat("--format: \"", format,
                                                   "\" is not fhir"));
  }
  request.set_include_inactive(all);
  request.set_page_size(500);
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::ConsentService::NewStub(cmd.channel());
  std::string ndjson;
  int count = 0;
  do {
    v1::ListConsentsResponse response;
    grpc::Status status =
        stub->ListConsents(cmd.Context().get(), request, &response);
    if (!status.ok()) return cmd.RpcFailed(status);
    for (const v1::Consent& c : response.consents()) {
      absl::StrAppend(&ndjson, fhir::ConsentToFhir(c).dump(), "\n");
      ++count;
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  if (out_path.empty()) {
    cmd.out() << ndjson;
    return kExitOk;
  }
  if (absl::Status written = WriteFileAtomically(out_path, ndjson);
      !written.ok()) {
    return cmd.Fail(std::string(written.message()));
  }
  cmd.out() << "exported " << count << " consents as FHIR Consent to "
            << out_path << "\n";
  return kExitOk;
}

const std::vector<Command>& ConsentCommands() {
  static const auto* record_usage = new std::string(ClientUsage(
      absl::StrCat(
          "usage: caregatectl consent record FLAGS\n"
          "\n"
          "Records a patient's signed written consent (HIPAA 45 CFR "
          "164.508(c)).\nThe gateway checks every element of the form and "
          "refuses, naming the\nelement, when one is missing. The signed "
          "document itself stays with you:\n--document hashes it locally "
          "with SHA-256 and only the hash is sent.\n\n",
          AsAbsl(kConsentFormFlagsHelp),
          "  --fhir FILE.json       read the whole consent from a FHIR R4 "
          "Consent\n"
          "                         resource instead of the flags above; "
          "an element\n"
          "                         that cannot be mapped faithfully is "
          "refused,\n"
          "                         naming its path, and nothing is "
          "recorded\n"
          "  --request-id ID        idempotency key (default: a fresh "
          "UUID)\n"
          "  --json                 print the recorded Consent as JSON\n"),
      "  caregatectl consent record --profile dev/pki/dr-rivera \\\n"
      "    --patient p-1001 --to-org core-pelvic-pt \\\n"
      "    --to-specialty PELVIC_FLOOR_PHYSICAL_THERAPY \\\n"
      "    --purpose treatment_coordination \\\n"
      "    --category HOMEWORK_ADHERENCE,TRAUMA_HISTORY --expires 365d \\\n"
      "    --description \"Homework adherence and trauma history\" \\\n"
      "    --document signed-form.pdf --signer-name \"...\" "
      "--signer-relationship self \\\n"
      "    --capture-method paper_scanned --states-right-to-revoke \\\n"
      "    --states-treatment-not-conditioned --states-redisclosure-risk\n"
      "  caregatectl consent record --profile dev/pki/dr-rivera --fhir "
      "consent.json\n"));
  static const auto* export_usage = new std::string(ClientUsage(
      "usage: caregatectl consent export --patient ID --format fhir "
      "[--out FILE]\n"
      "         [--all] [--practice ORG]\n"
      "\n"
      "Writes a patient's consents as FHIR R4 Consent resources, one per "
      "line\n"
      "(NDJSON; docs/fhir.md): scope patient-privacy, category LOINC "
      "59284-0,\n"
      "a permit provision with a nested deny for withheld categories, the\n"
      "signed form's hash; status inactive once revoked or expired. The\n"
      "signer's name is part of the resource: keep the file as you keep "
      "the\nform.\n"
      "\n"
      "flags:\n"
      "  --patient ID     the patient, within your practice\n"
      "  --format fhir    the only format (use `consent list --json` for "
      "the API's)\n"
      "  --out FILE       where to write (replaced atomically; default "
      "stdout)\n"
      "  --all            include revoked and expired consents\n"
      "  --practice ORG   the practice (compliance officers only)\n",
      "  caregatectl consent export --patient p-1001 --format fhir --out "
      "p-1001.ndjson \\\n    --profile dev/pki/dr-rivera\n"));
  static const auto* revoke_usage = new std::string(ClientUsage(
      "usage: caregatectl consent revoke CONSENT_ID --reason TEXT [--json]\n"
      "\n"
      "Revokes a consent after the patient revoked it in writing. Messages\n"
      "that relied on it and are not acknowledged yet are withheld.\n"
      "\n"
      "flags:\n"
      "  --reason TEXT  why, e.g. \"patient revoked in writing on "
      "2026-11-20\"\n"
      "  --json         print the revoked Consent as JSON\n",
      "  caregatectl consent revoke cns-... --reason \"patient revoked in "
      "writing\" \\\n    --profile dev/pki/dr-rivera\n"));
  static const auto* get_usage = new std::string(ClientUsage(
      "usage: caregatectl consent get CONSENT_ID [--json]\n"
      "\n"
      "Prints one consent of your practice (the signer's name is shown only\n"
      "with --json).\n",
      "  caregatectl consent get cns-... --profile dev/pki/dr-rivera\n"));
  static const auto* list_usage = new std::string(ClientUsage(
      "usage: caregatectl consent list --patient ID [--all] "
      "[--practice ORG] [--json]\n"
      "\n"
      "Lists a patient's consents, oldest first: active ones, or with --all\n"
      "revoked and expired ones too.\n"
      "\n"
      "flags:\n"
      "  --patient ID     the patient, within your practice\n"
      "  --all            include revoked and expired consents\n"
      "  --practice ORG   the practice (compliance officers only)\n"
      "  --json           one Consent per line as JSON\n",
      "  caregatectl consent list --patient p-1001 --profile "
      "dev/pki/dr-rivera\n"
      "  caregatectl consent list --patient p-1001 --practice "
      "sunrise-therapy --all \\\n    --profile dev/pki/compliance-officer\n"));
  static const auto* commands = new std::vector<Command>{
      {"record", "record a patient's signed consent", *record_usage, RunRecord},
      {"revoke", "revoke a consent", *revoke_usage, RunRevoke},
      {"get", "show one consent", *get_usage, RunGet},
      {"list", "list a patient's consents", *list_usage, RunList},
      {"export", "write a patient's consents as FHIR R4 Consent", *export_usage,
       RunExport},
  };
  return *commands;
}

}  // namespace

int RunConsentGroup(const std::vector<std::string>& args, CommandIo io) {
  return RunCommandGroup("caregatectl consent",
                         "A patient's written consents (therapists; "
                         "compliance may get, list and export).",
                         ConsentCommands(), args, io);
}

}  // namespace caregate::ctl
