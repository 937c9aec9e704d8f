#include "services/ctl/message_view.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/absl_compat.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"
#include "services/delivery/message_signature.h"

namespace caregate::ctl {
namespace {

std::string ConsentLine(const v1::ConsentSummary& c) {
  std::string grantee = c.grantee().org_id();
  if (!c.grantee().provider_id().empty()) {
    absl::StrAppend(&grantee, "/", c.grantee().provider_id());
  }
  if (c.grantee().specialty() != v1::SPECIALTY_UNSPECIFIED) {
    absl::StrAppend(&grantee, " (", Short(c.grantee().specialty()), ")");
  }
  return absl::StrCat(
      c.consent_id(), ": ", grantee, "; ", JoinShort<v1::Purpose>(c.purposes()),
      "; ", JoinShort<v1::Category>(c.categories()), "; signed ",
      HumanTime(c.signed_at()), ", expires ", HumanTime(c.expires_at()));
}

// `text` wrapped at spaces to lines of at most `width` characters.
std::string Wrap(std::string_view text, size_t width) {
  std::string out, line;
  for (absl::string_view word :
       absl::StrSplit(AsAbsl(text), ' ', absl::SkipEmpty())) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      absl::StrAppend(&out, line, "\n");
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  absl::StrAppend(&out, line, "\n");
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Ed25519Verifier>> LoadVerifier(
    const std::string& path) {
  if (path.empty()) return std::unique_ptr<Ed25519Verifier>();
  absl::StatusOr<std::unique_ptr<Ed25519Verifier>> verifier =
      Ed25519Verifier::FromPemFile(path);
  if (!verifier.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("bad public key: ", verifier.status().message()));
  }
  return verifier;
}

SignatureCheck CheckSignature(const Ed25519Verifier* verifier,
                              const v1::Message& message) {
  if (verifier == nullptr) {
    return {false, "not checked (no public key: pass --pubkey FILE)"};
  }
  if (VerifyMessage(*verifier, message)) {
    return {true,
            absl::StrCat("verified (gateway key ", verifier->key_id(), ")")};
  }
  return {false, absl::StrCat("DOES NOT VERIFY against gateway key ",
                              verifier->key_id())};
}

void PrintMessage(const v1::Message& m, const SignatureCheck& check,
                  std::ostream& os) {
  std::string state = Short(m.delivery_state());
  if (m.delivery_state() == v1::DELIVERY_STATE_ACKNOWLEDGED) {
    absl::StrAppend(&state, " ", HumanTime(m.acknowledged_at()));
  }
  PrintFields({{"message", m.message_id()},
               {"disclosure", m.disclosure_id()},
               {"from", absl::StrCat(m.sender_principal_id(), " at ",
                                     m.sender_org_id())},
               {"to", absl::StrCat(m.recipient_provider_id(), " at ",
                                   m.recipient_org_id())},
               {"patient", m.patient_id()},
               {"purpose", Short(m.purpose())},
               {"sent", HumanTime(m.created_at())},
               {"state", state},
               {"content", absl::StrCat("sha256 ", m.content_sha256())},
               {"signature", check.summary}},
              os);
  os << "\nconsents relied on:\n";
  for (const v1::ConsentSummary& c : m.consent_summaries()) {
    os << "  " << Printable(ConsentLine(c)) << "\n";
  }
  for (int i = 0; i < m.sections_size(); ++i) {
    const v1::Section& s = m.sections(i);
    os << "\n[" << i + 1 << "] " << Short(s.category());
    if (!s.title().empty()) os << ": " << Printable(s.title());
    const std::string body = Printable(s.body(), /*multiline=*/true);
    os << "\n" << body;
    if (body.empty() || body.back() != '\n') os << "\n";
  }
  os << "\nredisclosure notice:\n"
     << Printable(Wrap(m.redisclosure_notice(), 76), /*multiline=*/true);
}

}  // namespace caregate::ctl
