#include "services/delivery/message_signature.h"

#include "services/common/proto_time.h"
#include "services/crypto/sha256.h"
#include "services/common/canonical_bytes.h"

namespace caregate {
namespace {

void AppendGrantee(const v1::Grantee& grantee, CanonicalBytes& out) {
  out.Str(grantee.org_id()).Str(grantee.provider_id()).Int(grantee.specialty());
}

void AppendTime(const google::protobuf::Timestamp& ts, CanonicalBytes& out) {
  out.Int(ts.seconds()).Int(ts.nanos());
}

void AppendSummary(const v1::ConsentSummary& summary, CanonicalBytes& out) {
  out.Str(summary.consent_id());
  AppendTime(summary.signed_at(), out);
  out.Count(summary.purposes_size());
  for (int p : summary.purposes()) out.Int(p);
  out.Count(summary.categories_size());
  for (int c : summary.categories()) out.Int(c);
  AppendTime(summary.expires_at(), out);
  AppendGrantee(summary.grantee(), out);
}

}  // namespace

std::string ContentCanonicalBytes(
    const google::protobuf::RepeatedPtrField<v1::Section>& sections) {
  CanonicalBytes out;
  out.Str("caregate.content.v1").Count(sections.size());
  for (const v1::Section& s : sections) {
    out.Int(s.category()).Str(s.title()).Str(s.body());
  }
  return out.bytes();
}

std::string ContentSha256(
    const google::protobuf::RepeatedPtrField<v1::Section>& sections) {
  return Sha256Hex(ContentCanonicalBytes(sections));
}

std::string CanonicalMessageBytes(const v1::Message& m) {
  CanonicalBytes out;
  out.Str("caregate.message.v1")
      .Str(m.message_id())
      .Str(m.disclosure_id())
      .Str(m.sender_principal_id())
      .Str(m.sender_org_id())
      .Str(m.patient_id())
      .Str(m.recipient_org_id())
      .Str(m.recipient_provider_id())
      .Int(m.purpose());
  out.Count(m.consent_summaries_size());
  for (const v1::ConsentSummary& s : m.consent_summaries()) AppendSummary(s, out);
  out.Str(m.redisclosure_notice()).Str(m.content_sha256());
  AppendTime(m.created_at(), out);
  out.Str(m.signing_key_id());
  return out.bytes();
}

void SignMessage(const Ed25519Signer& signer, v1::Message* message) {
  message->set_content_sha256(ContentSha256(message->sections()));
  message->set_signing_key_id(signer.key_id());
  message->set_signature(signer.Sign(CanonicalMessageBytes(*message)));
}

bool VerifyMessage(const Ed25519Verifier& verifier, const v1::Message& message) {
  if (ContentSha256(message.sections()) != message.content_sha256()) return false;
  return verifier.Verify(CanonicalMessageBytes(message), message.signature());
}

}  // namespace caregate
