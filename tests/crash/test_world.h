// A small, consistent crash-check world for the checker's unit tests: one
// permitted send with its receipt, its message acknowledged, one consent
// revoked; the API log, the file and the calls agree. Tests break one thing
// at a time. Header-only; test use only.
#ifndef CAREGATE_TESTS_CRASH_TEST_WORLD_H_
#define CAREGATE_TESTS_CRASH_TEST_WORLD_H_

#include <string>

#include "tests/crash/chain_checks.h"
#include "tests/crash/crash_calls.h"
#include "tests/crash/store_view.h"

namespace caregate::crash::testing {

struct World {
  CallRecords calls;
  ApiView api;
  StoreView store;
  ChainMemory memory;

  // Appends an event linked to the last one; returns it.
  v1::AuditEvent& AddEvent(v1::AuditAction action, const std::string& subject) {
    v1::AuditEvent& e = *api.events.emplace(api.events.end());
    e.set_seq(static_cast<int64_t>(api.events.size()));
    e.set_action(action);
    e.set_subject_id(subject);
    e.set_prev_hash(e.seq() == 1 ? std::string(32, '\0')
                                 : api.events[e.seq() - 2].hash());
    e.set_hash("hash-" + std::to_string(e.seq()));
    store.event_hashes.emplace_back(e.seq(), e.hash());
    api.verify.set_verified_through_seq(e.seq());
    return e;
  }
};

inline World ConsistentWorld() {
  World w;
  w.api.verify.set_ok(true);
  v1::AuditEvent& sent =
      w.AddEvent(v1::AUDIT_ACTION_DISCLOSURE_PERMITTED, "dsc-1");
  sent.set_actor_principal_id("dr-rivera");
  sent.set_request_id("c1-w0-n0");
  sent.set_content_sha256("abc");
  w.AddEvent(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED, "msg-1");
  w.AddEvent(v1::AUDIT_ACTION_CONSENT_REVOKED, "cns-1");
  w.api.verify.mutable_checkpoint()->set_seq(3);
  w.api.verify.mutable_checkpoint()->set_head_hash("hash-3");
  w.store.checkpoints.emplace_back(3, "hash-3");

  w.store.disclosures[{"dr-rivera", "c1-w0-n0"}].push_back(
      {"dsc-1", 1, "msg-1", "abc"});
  w.store.messages["msg-1"] = {"dsc-1", 1, v1::DELIVERY_STATE_ACKNOWLEDGED};
  w.store.consents_revoked["cns-1"] = true;

  SendCall& send = w.calls.sends.emplace_back();
  send.principal = "dr-rivera";
  send.cycle = 1;
  send.request_id = "c1-w0-n0";
  send.attempts = 1;
  send.answered = true;
  send.code = grpc::StatusCode::OK;
  send.receipt.emplace();
  send.receipt->set_disclosure_id("dsc-1");
  send.receipt->set_audit_seq(1);
  send.receipt->set_content_sha256("abc");
  send.receipt->mutable_decision()->set_outcome(v1::DECISION_OUTCOME_PERMITTED);

  AckCall& ack = w.calls.acks.emplace_back();
  ack.principal = "core-pelvic-pt-inbox";
  ack.message_id = "msg-1";
  ack.answered = true;
  ack.code = grpc::StatusCode::OK;

  RevokeCall& revoke = w.calls.revokes.emplace_back();
  revoke.principal = "dr-rivera";
  revoke.consent_id = "cns-1";
  revoke.answered = true;
  revoke.code = grpc::StatusCode::OK;
  return w;
}

}  // namespace caregate::crash::testing

#endif  // CAREGATE_TESTS_CRASH_TEST_WORLD_H_
