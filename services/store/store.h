// The gateway's durable state, behind one interface with an embedded SQLite
// implementation (sqlite_store.h) and room for a PostgreSQL one.
//
// Threading: read methods of Store are safe to call from any thread
// concurrently. BeginWrite() is called by one writer thread only (the Ledger);
// at most one WriteTransaction exists at a time, and it is used by that thread
// alone.
//
// Errors: a store that cannot be reached or written returns UNAVAILABLE;
// nothing of a failed transaction is kept. A uniqueness conflict returns
// ALREADY_EXISTS. Unknown ids are std::nullopt, not errors. A list limit below
// 1 is INVALID_ARGUMENT. There are no foreign keys between tables: rows of one
// command reference each other, and a group commit must not fail as a whole
// because of one command's order of inserts.
#ifndef CAREGATE_SERVICES_STORE_STORE_H_
#define CAREGATE_SERVICES_STORE_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/audit/audit_event.h"
#include "services/policy/consent_record.h"
#include "services/store/records.h"
#include "services/transparency/merkle.h"

namespace caregate {

// One write transaction. Destroying it without a successful Commit() rolls
// everything back.
class WriteTransaction {
 public:
  virtual ~WriteTransaction() = default;

  // A nested point to roll back to: one per command of a group commit, so a
  // command that fails leaves nothing while its neighbours commit.
  // Inside a savepoint, a store may defer writes (PostgreSQL pipelines
  // them): an insert, append or notify may then return OK and its error
  // (e.g. ALREADY_EXISTS) come from ReleaseSavepoint() or the next read,
  // after which the caller rolls back to the savepoint as for any error.
  // Reads always see the writes before them.
  virtual absl::Status Savepoint() = 0;
  virtual absl::Status ReleaseSavepoint() = 0;
  virtual absl::Status RollbackToSavepoint() = 0;

  // Writes every field but the plain patient-identifying text (evidence
  // description and names, revocation reason): the store keeps only
  // `consent.sealed` and returns records whose plain text fields are empty.
  virtual absl::Status InsertConsent(const ConsentRecord& consent) = 0;
  // Writes `consent.revocation` (time, by whom, and the sealed reason) and
  // `consent.revision`; NOT_FOUND for an unknown consent.
  virtual absl::Status UpdateConsentRevocation(
      const ConsentRecord& consent) = 0;
  // Replaces the stored text of a consent recorded before text was sealed
  // with `consent.sealed`, and erases its plain text; NOT_FOUND for an
  // unknown consent.
  virtual absl::Status ReplaceConsentText(const ConsentRecord& consent) = 0;
  // The consent recorded by `principal_id` with `request_id`, if any.
  virtual absl::StatusOr<std::optional<ConsentRecord>> FindConsentByRequest(
      std::string_view principal_id, std::string_view request_id) = 0;

  // The consent with `consent_id`, if any. PostgreSQL locks its row until
  // this transaction ends, so concurrent changes of one consent (two
  // revocations on two replicas) run one after the other.
  virtual absl::StatusOr<std::optional<ConsentRecord>> FindConsent(
      std::string_view consent_id) = 0;
  // Every consent of `patient` (any state), in recording order.
  virtual absl::StatusOr<std::vector<ConsentRecord>> ListPatientConsents(
      const PatientRef& patient) = 0;
  // The patient's consent revision: the audit seq of the last event that
  // recorded or revoked one of their consents, 0 if none (ADR 5). Replicas
  // compare it with their in-memory copy (consent_refresh.h). SQLite keeps
  // none, since its one process sees every change: always 0.
  virtual absl::StatusOr<int64_t> ReadConsentRevision(
      const PatientRef& patient) = 0;
  // Raises the patient's consent revision to `revision`; a no-op on SQLite.
  virtual absl::Status WriteConsentRevision(const PatientRef& patient,
                                            int64_t revision) = 0;

  virtual absl::Status InsertDisclosure(const DisclosureRow& disclosure) = 0;
  // The disclosure sent by `sender_principal_id` with `request_id`, if any.
  virtual absl::StatusOr<std::optional<DisclosureRow>> FindDisclosureByRequest(
      std::string_view sender_principal_id, std::string_view request_id) = 0;

  virtual absl::Status InsertMessage(const MessageRow& message) = 0;
  virtual absl::StatusOr<std::optional<MessageRow>> FindMessage(
      std::string_view message_id) = 0;
  // Sets the state to ACKNOWLEDGED and the acknowledgement time, whatever the
  // current state: callers check it first.
  virtual absl::Status MarkMessageAcknowledged(std::string_view message_id,
                                               absl::Time at) = 0;
  // Writes `message`'s state, acknowledged_at and push delivery fields
  // (delivery_attempts, next_attempt_at, last_delivery_error, delivered_at,
  // retried_at), and ends its push lease (Store::ClaimDueMessages); NOT_FOUND
  // for an unknown message id. Callers check the current state.
  virtual absl::Status UpdateMessageDelivery(const MessageRow& message) = 0;
  // Sets every message not yet disclosed (QUEUED, or FAILED: a failed push
  // disclosed nothing and could be retried) that lists `consent_id` among its
  // consent ids to WITHHELD_BY_REVOCATION and returns those messages (as
  // they now are), in seq order.
  virtual absl::StatusOr<std::vector<MessageRow>> WithholdPendingMessages(
      std::string_view consent_id) = 0;

  // The audit log's head (std::nullopt for an empty log) as this
  // transaction sees it, guarded until it ends: no other writer, in this
  // process or another on the same database, can append after it meanwhile.
  // The ledger calls it first in every group, so the seq and prev hash it
  // assigns come from the store, not from memory (one linear chain for all
  // replicas, ADR 5). SQLite reads its last event (its write lock and
  // process lock already exclude other writers); PostgreSQL reads the
  // `log_head` row FOR UPDATE.
  virtual absl::StatusOr<std::optional<ChainHead>> LockLogHead() = 0;

  // Appends an event whose seq, prev_hash and hash are already set.
  virtual absl::Status AppendAuditEvent(const AuditEvent& event) = 0;
  virtual absl::Status InsertCheckpoint(const Checkpoint& checkpoint) = 0;
  // Replaces the signed note of the checkpoints with this seq and tree root
  // (e.g. with witnesses' cosignatures added). OK when none matches.
  virtual absl::Status UpdateCheckpointNote(int64_t seq,
                                            const Hash256& tree_root,
                                            std::string_view note) = 0;

  // Stores nodes of the audit log's Merkle tree (docs/transparency.md
  // "Storing the tree"), as CompactRange::Append reports them (the ledger
  // leaves out the leaves: DropLeaves), replacing a node stored already (left
  // by events removed behind the gateway's back: the tree follows the events
  // the log has).
  virtual absl::Status PutTreeNodes(absl::Span<const tlog::NodeHash> nodes) = 0;
  // The hashes of `ids` as this transaction sees them, in order; a leaf
  // (level 0, index i) not stored is the leaf hash of the hash of audit
  // event i + 1. NOT_FOUND naming the first node it has neither way.
  virtual absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
      absl::Span<const tlog::NodeId> ids) = 0;

  // Commits: the changes become visible to readers and ordered after every
  // earlier transaction, or an error is returned and nothing is kept. They
  // are durable once a Store::Sync() that starts after Commit() returns OK.
  // A crash, even a power loss, leaves a prefix of the committed
  // transactions: never a later one without an earlier one.
  virtual absl::Status Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Starts the one write transaction; see the class comment.
  virtual absl::StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() = 0;

  // Makes every transaction committed before the call durable (fsync), or
  // returns UNAVAILABLE. Safe to call from any thread, also while the writer
  // runs its next transaction: so the writer never waits for the disk, and one
  // sync covers every group committed meanwhile.
  virtual absl::Status Sync() = 0;

  // Calls `fn` for every consent, in recording order (used to load the
  // index). A consent recorded before text was sealed comes with its plain
  // text and an empty `sealed`.
  virtual absl::Status ForEachConsent(
      const std::function<void(ConsentRecord)>& fn) = 0;

  // The consent `consent_id` as committed (text as in ForEachConsent);
  // std::nullopt when none is stored. How GetConsent reads a whole consent:
  // the index keeps only its terms.
  virtual absl::StatusOr<std::optional<ConsentRecord>> GetConsent(
      std::string_view consent_id) = 0;
  // Every consent of `patient` as committed, in recording order.
  virtual absl::StatusOr<std::vector<ConsentRecord>> GetPatientConsents(
      const PatientRef& patient) = 0;

  // The last audit event's seq and hash; std::nullopt for an empty log.
  virtual absl::StatusOr<std::optional<ChainHead>> GetChainHead() = 0;

  // Up to `limit` patients whose consent revision is above `after`, in
  // revision order: how a replica follows consent changes other replicas
  // commit (consent_follower.h, ADR 5). SQLite keeps no revisions (its one
  // process sees every change): always empty there.
  virtual absl::StatusOr<std::vector<PatientRevision>>
  ListConsentRevisionsAfter(int64_t after, int limit) = 0;

  virtual absl::StatusOr<std::optional<DisclosureRow>> GetDisclosure(
      std::string_view disclosure_id) = 0;
  virtual absl::StatusOr<std::optional<MessageRow>> GetMessage(
      std::string_view message_id) = 0;

  // Up to `limit` messages of `recipient_org_id` with seq > `after_seq`, in seq
  // order; QUEUED only unless `include_acknowledged` (then ACKNOWLEDGED too).
  // WITHHELD_BY_REVOCATION messages are never listed.
  virtual absl::StatusOr<std::vector<MessageRow>> ListMessages(
      std::string_view recipient_org_id, bool include_acknowledged,
      int64_t after_seq, int limit) = 0;

  // Up to `limit` QUEUED messages of `recipient_org_id` whose next push
  // attempt is due at `now` (next_attempt_at unset or <= now), in seq order.
  virtual absl::StatusOr<std::vector<MessageRow>> ListDueMessages(
      std::string_view recipient_org_id, absl::Time now, int limit) = 0;

  // Push leases, so that gateways sharing one database never push the same
  // message at once: takes up to `claim.limit` of the messages
  // ListDueMessages would return with seq <= `claim.max_seq` that hold no
  // lease, an expired one (lease end <= now) or one of `claim.owner`, leases
  // them to the owner until `claim.lease_until`, and returns them in seq
  // order. Claims by concurrent callers never overlap (PostgreSQL: UPDATE
  // ... FOR UPDATE SKIP LOCKED). Recording any delivery outcome
  // (WriteTransaction::UpdateMessageDelivery) ends the lease. The SQLite
  // store serves one gateway (its <db>.lock), so it keeps no leases: there
  // it returns what ListDueMessages returns, up to max_seq.
  virtual absl::StatusOr<std::vector<MessageRow>> ClaimDueMessages(
      const PushClaim& claim) = 0;

  // Up to `query.limit` messages matching `query`, in seq order (the outbox
  // as compliance sees it; indexed by state and seq).
  virtual absl::StatusOr<std::vector<MessageRow>> ListDeliveries(
      const DeliveryQuery& query) = 0;

  // Permitted and redacted disclosures of `patient` (practice and patient id,
  // both required: INVALID_ARGUMENT otherwise) with since <= created_at <
  // until, oldest first.
  virtual absl::StatusOr<std::vector<DisclosureRow>> ListDisclosuresForPatient(
      const PatientRef& patient, absl::Time since, absl::Time until) = 0;

  // Events matching `query`, in seq order.
  virtual absl::StatusOr<std::vector<AuditEvent>> QueryAuditEvents(
      const AuditQuery& query) = 0;
  // Counts of events with since <= time < until by action; of permitted and
  // redacted disclosures with since <= created_at < until by month and
  // recipient; of DISCLOSURE_DENIED events by each reason they list; and of
  // ACCESS_DENIED events by actor. Grouped by the store (indexed), without
  // reading the events one by one.
  virtual absl::StatusOr<AuditSummary> SummarizeAuditEvents(
      absl::Time since, absl::Time until) = 0;
  // Calls `fn` for each stored event with from_seq <= seq <= to_seq, in
  // ascending seq order, exactly as stored (gaps and all); stops early when
  // `fn` returns false. The event is valid only during its call (a backend
  // may decode every row into the same object): copy what you keep.
  virtual absl::Status ScanAuditEvents(
      int64_t from_seq, int64_t to_seq,
      const std::function<bool(const AuditEvent&)>& fn) = 0;

  // The hashes of the committed tree nodes `ids`, in order, a leaf not
  // stored given by its event as in WriteTransaction::ReadTreeNodes;
  // NOT_FOUND naming the first node it has neither way. (The proofs'
  // tlog::NodeSource.)
  virtual absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
      absl::Span<const tlog::NodeId> ids) = 0;
  // The number of leaves of the stored tree: the pairs completed at level 1,
  // plus the next leaf when its event is stored (or the level-0 nodes of a
  // log that stored its leaves, if more).
  virtual absl::StatusOr<int64_t> GetTreeSize() = 0;

  // The checkpoint with the highest seq (latest time among equals).
  virtual absl::StatusOr<std::optional<Checkpoint>> GetLatestCheckpoint() = 0;
  // Calls `fn` for every stored checkpoint, in ascending seq order (then
  // time); stops early when `fn` returns false.
  virtual absl::Status ScanCheckpoints(
      const std::function<bool(const Checkpoint&)>& fn) = 0;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_STORE_STORE_H_
