#include "services/audit_service/audit_event_proto.h"

#include <string>

#include "services/common/proto_time.h"

namespace caregate {
namespace {

std::string HashBytes(const Hash256& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

}  // namespace

v1::AuditEvent AuditEventToProto(const AuditEvent& event) {
  v1::AuditEvent proto;
  proto.set_seq(event.seq);
  *proto.mutable_time() = ToProtoTime(event.time);
  proto.set_actor_principal_id(event.actor_principal_id);
  proto.set_actor_role(event.actor_role);
  proto.set_actor_org_id(event.actor_org_id);
  proto.set_action(event.action);
  proto.set_practice_org_id(event.practice_org_id);
  proto.set_patient_id(event.patient_id);
  proto.set_recipient_org_id(event.recipient_org_id);
  proto.set_purpose(event.purpose);
  for (v1::Category category : event.categories) proto.add_categories(category);
  for (const std::string& id : event.consent_ids) proto.add_consent_ids(id);
  proto.set_outcome(event.outcome);
  for (v1::DenialReason reason : event.reasons) proto.add_reasons(reason);
  proto.set_content_sha256(event.content_sha256);
  proto.set_request_id(event.request_id);
  proto.set_subject_id(event.subject_id);
  proto.set_detail(event.detail);
  proto.set_prev_hash(HashBytes(event.prev_hash));
  proto.set_hash(HashBytes(event.hash));
  return proto;
}

v1::Checkpoint CheckpointToProto(const Checkpoint& checkpoint) {
  v1::Checkpoint proto;
  proto.set_origin(checkpoint.origin);
  proto.set_seq(checkpoint.seq);
  proto.set_head_hash(HashBytes(checkpoint.head_hash));
  *proto.mutable_time() = ToProtoTime(checkpoint.time);
  proto.set_body(checkpoint.body);
  proto.set_signature(checkpoint.signature);
  proto.set_key_id(checkpoint.key_id);
  if (checkpoint.tree_root.has_value()) {
    proto.set_tree_root(HashBytes(*checkpoint.tree_root));
  }
  proto.set_note(checkpoint.note);
  return proto;
}

}  // namespace caregate
