#include "services/store/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/common/status_macros.h"
#include "services/store/process_lock.h"
#include "services/store/sqlite_audit_query.h"
#include "services/store/sqlite_codec.h"
#include "services/store/sqlite_connection.h"
#include "services/store/sqlite_read_pool.h"
#include "services/store/sqlite_rows.h"
#include "services/store/sqlite_schema.h"
#include "services/store/sqlite_wal_checkpointer.h"
#include "services/store/sqlite_write_transaction.h"

namespace caregate {
namespace {

using sqlite::SqliteConnection;
using sqlite::SqliteStatement;

constexpr int kBusyTimeoutMs = 5000;
constexpr int kMaxReadConnections = 4;

absl::Status ErrnoError(std::string_view op, const std::filesystem::path& path,
                        int error) {
  return absl::UnavailableError(
      absl::StrCat(absl::string_view(op.data(), op.size()), " ", path.string(),
                   ": ", std::strerror(error)));
}

// Creates each missing directory of `dir` with mode 0700.
absl::Status CreateDirectories(const std::filesystem::path& dir) {
  std::filesystem::path current;
  for (const std::filesystem::path& part : dir) {
    current /= part;
    struct stat st;
    if (stat(current.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      return ErrnoError("create data directory", current, ENOTDIR);
    }
    if (errno != ENOENT) {
      return ErrnoError("create data directory", current, errno);
    }
    if (mkdir(current.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoError("create data directory", current, errno);
    }
  }
  return absl::OkStatus();
}

// Creates the database file readable by its owner only, unless it exists.
absl::Status CreateFileIfMissing(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("open database", path, errno);
  close(fd);
  return absl::OkStatus();
}

absl::Status ConfigureWriter(SqliteConnection& db) {
  CG_ASSIGN_OR_RETURN(
      std::string mode,
      db.QueryText("set journal mode", "PRAGMA journal_mode=WAL"));
  if (mode != "wal") {
    return absl::FailedPreconditionError(absl::StrCat(
        "set journal mode: the database stays in '", mode, "' mode, not WAL"));
  }
  // synchronous=NORMAL: COMMIT writes the WAL without waiting for the disk;
  // Sync() fsyncs the WAL (SQLite still syncs around every checkpoint). In WAL
  // mode a crash then keeps a prefix of the commits, and the Ledger answers
  // no caller before Sync() has made its commit durable.
  return db.Exec("configure database",
                 "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                 // 64 MiB of page cache: the indexes the writer updates on
                 // every send stay in memory instead of being re-read.
                 "PRAGMA cache_size=-65536; "
                 // Every command runs in a savepoint, and SQLite keeps each
                 // page's before-image for it in a statement journal. On
                 // disk that journal took two write() calls per page, more
                 // than the WAL itself; in memory it is dropped at RELEASE.
                 "PRAGMA temp_store=MEMORY; "
                 // A WAL that grew (a checkpoint held back by a long read)
                 // shrinks back to 64 MiB when it starts over.
                 "PRAGMA journal_size_limit=67108864;");
}

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, std::unique_ptr<ProcessLock> lock,
              std::unique_ptr<SqliteConnection> writer)
      : path_(path),
        lock_(std::move(lock)),
        writer_(std::move(writer)),
        readers_(path, kMaxReadConnections, kBusyTimeoutMs) {}
  ~SqliteStore() override {
    absl::MutexLock lock(&sync_mu_);
    if (wal_fd_ >= 0) close(wal_fd_);
  }

  absl::Status StartCheckpointer() {
    CG_ASSIGN_OR_RETURN(checkpointer_, sqlite::WalCheckpointer::Start(
                                           path_, writer_.get(), {}));
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override;
  absl::Status Sync() override;
  absl::Status ForEachConsent(
      const std::function<void(ConsentRecord)>& fn) override;
  absl::StatusOr<std::optional<ConsentRecord>> GetConsent(
      std::string_view consent_id) override;
  absl::StatusOr<std::vector<ConsentRecord>> GetPatientConsents(
      const PatientRef& patient) override;
  absl::StatusOr<std::optional<ChainHead>> GetChainHead() override;
  absl::StatusOr<std::vector<PatientRevision>> ListConsentRevisionsAfter(
      int64_t after, int limit) override;
  absl::StatusOr<std::optional<DisclosureRow>> GetDisclosure(
      std::string_view disclosure_id) override;
  absl::StatusOr<std::optional<MessageRow>> GetMessage(
      std::string_view message_id) override;
  absl::StatusOr<std::vector<MessageRow>> ListMessages(
      std::string_view recipient_org_id, bool include_acknowledged,
      int64_t after_seq, int limit) override;
  absl::StatusOr<std::vector<MessageRow>> ListDueMessages(
      std::string_view recipient_org_id, absl::Time now, int limit) override;
  // One gateway per SQLite file: nobody else claims, so no lease is kept.
  absl::StatusOr<std::vector<MessageRow>> ClaimDueMessages(
      const PushClaim& claim) override {
    absl::StatusOr<std::vector<MessageRow>> due =
        ListDueMessages(claim.recipient_org_id, claim.now, claim.limit);
    if (!due.ok()) return due.status();
    // In seq order: what is past max_seq is a tail.
    while (!due->empty() && due->back().seq > claim.max_seq) due->pop_back();
    return due;
  }
  absl::StatusOr<std::vector<MessageRow>> ListDeliveries(
      const DeliveryQuery& query) override;
  absl::StatusOr<std::vector<DisclosureRow>> ListDisclosuresForPatient(
      const PatientRef& patient, absl::Time since, absl::Time until) override;
  absl::StatusOr<std::vector<AuditEvent>> QueryAuditEvents(
      const AuditQuery& query) override;
  absl::StatusOr<AuditSummary> SummarizeAuditEvents(absl::Time since,
                                                    absl::Time until) override;
  absl::Status ScanAuditEvents(
      int64_t from_seq, int64_t to_seq,
      const std::function<bool(const AuditEvent&)>& fn) override;
  absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
      absl::Span<const tlog::NodeId> ids) override;
  absl::StatusOr<int64_t> GetTreeSize() override;
  absl::StatusOr<std::optional<Checkpoint>> GetLatestCheckpoint() override;
  absl::Status ScanCheckpoints(
      const std::function<bool(const Checkpoint&)>& fn) override;

 private:
  // Runs `fn` with a prepared read statement for `sql`, on a pooled
  // connection.
  template <typename Fn>
  auto WithStatement(std::string_view op, std::string_view sql, Fn fn)
      -> decltype(fn(std::declval<SqliteStatement&>())) {
    CG_ASSIGN_OR_RETURN(sqlite::SqliteReadPool::Lease lease,
                        readers_.Acquire());
    CG_ASSIGN_OR_RETURN(SqliteStatement stmt,
                        lease.connection().Prepare(op, sql));
    return fn(stmt);
  }

  const std::string path_;
  // Released after every connection has closed.
  std::unique_ptr<ProcessLock> lock_;
  // Declared before the readers so it is closed last: the last connection to
  // close checkpoints the WAL into the database file.
  std::unique_ptr<SqliteConnection> writer_;
  sqlite::SqliteReadPool readers_;
  // Holds a hook on the writer connection: declared after the connections,
  // so it is destroyed before them.
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;
  absl::Mutex write_mu_;
  bool write_open_ ABSL_GUARDED_BY(write_mu_) = false;
  // The WAL file, opened by the first Sync() (the open connections keep it
  // from being deleted while the store lives).
  absl::Mutex sync_mu_;
  int wal_fd_ ABSL_GUARDED_BY(sync_mu_) = -1;
};

absl::Status SqliteStore::Sync() {
  absl::MutexLock lock(&sync_mu_);
  if (wal_fd_ < 0) {
    const std::string wal = path_ + "-wal";
    wal_fd_ = open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) return ErrnoError("open write-ahead log", wal, errno);
    // The WAL's directory entry must be durable too.
    std::filesystem::path dir = std::filesystem::path(path_).parent_path();
    if (dir.empty()) dir = ".";
    const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return ErrnoError("open data directory", dir, errno);
    const int rc = fsync(dir_fd);
    const int error = errno;
    close(dir_fd);
    if (rc != 0) return ErrnoError("sync data directory", dir, error);
  }
  if (fdatasync(wal_fd_) != 0) {
    return ErrnoError("sync write-ahead log", path_ + "-wal", errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<WriteTransaction>> SqliteStore::BeginWrite() {
  absl::MutexLock lock(&write_mu_);
  if (write_open_) {
    return absl::FailedPreconditionError(
        "begin write transaction: another transaction is open");
  }
  CG_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> txn,
                      sqlite::SqliteWriteTransaction::Begin(*writer_, [this] {
                        absl::MutexLock lock(&write_mu_);
                        write_open_ = false;
                      }));
  write_open_ = true;
  return txn;
}

absl::Status SqliteStore::ForEachConsent(
    const std::function<void(ConsentRecord)>& fn) {
  return WithStatement("list consents", sqlite::kAllConsentsSql,
                       [&](SqliteStatement& s) -> absl::Status {
                         while (true) {
                           CG_ASSIGN_OR_RETURN(bool has_row, s.Step());
                           if (!has_row) return absl::OkStatus();
                           CG_ASSIGN_OR_RETURN(ConsentRecord consent,
                                               sqlite::ReadConsent(s));
                           fn(std::move(consent));
                         }
                       });
}

absl::StatusOr<std::optional<ConsentRecord>> SqliteStore::GetConsent(
    std::string_view consent_id) {
  return WithStatement("get consent", sqlite::kFindConsentSql,
                       [&](SqliteStatement& s) {
                         s.BindText(1, consent_id);
                         return sqlite::ReadOptional(s, &sqlite::ReadConsent);
                       });
}

absl::StatusOr<std::vector<ConsentRecord>> SqliteStore::GetPatientConsents(
    const PatientRef& patient) {
  return WithStatement("get patient consents", sqlite::kPatientConsentsSql,
                       [&](SqliteStatement& s) {
                         s.BindText(1, patient.practice_org_id);
                         s.BindText(2, patient.patient_id);
                         return sqlite::ReadAll(s, &sqlite::ReadConsent);
                       });
}

absl::StatusOr<std::vector<PatientRevision>>
SqliteStore::ListConsentRevisionsAfter(int64_t /*after*/, int /*limit*/) {
  return std::vector<PatientRevision>();  // one process: nothing to follow
}

absl::StatusOr<std::optional<ChainHead>> SqliteStore::GetChainHead() {
  return WithStatement(
      "read chain head", sqlite::kChainHeadSql,
      [](SqliteStatement& s) -> absl::StatusOr<std::optional<ChainHead>> {
        CG_ASSIGN_OR_RETURN(bool has_row, s.Step());
        if (!has_row) return std::nullopt;
        ChainHead head;
        head.seq = s.ColumnInt64(0);
        CG_ASSIGN_OR_RETURN(head.hash,
                            sqlite::DecodeHash("audit hash", s.ColumnBlob(1)));
        return head;
      });
}

absl::StatusOr<std::optional<DisclosureRow>> SqliteStore::GetDisclosure(
    std::string_view disclosure_id) {
  return WithStatement(
      "get disclosure", sqlite::kGetDisclosureSql, [&](SqliteStatement& s) {
        s.BindText(1, disclosure_id);
        return sqlite::ReadOptional(s, &sqlite::ReadDisclosure);
      });
}

absl::StatusOr<std::optional<MessageRow>> SqliteStore::GetMessage(
    std::string_view message_id) {
  return WithStatement("get message", sqlite::kGetMessageSql,
                       [&](SqliteStatement& s) {
                         s.BindText(1, message_id);
                         return sqlite::ReadOptional(s, &sqlite::ReadMessage);
                       });
}

absl::StatusOr<std::vector<MessageRow>> SqliteStore::ListMessages(
    std::string_view recipient_org_id, bool include_acknowledged,
    int64_t after_seq, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError("list messages: limit must be >= 1");
  }
  return WithStatement(
      "list messages", sqlite::kListMessagesSql, [&](SqliteStatement& s) {
        s.BindText(1, recipient_org_id);
        s.BindInt64(2, after_seq);
        s.BindInt64(3, v1::DELIVERY_STATE_QUEUED);
        s.BindInt64(4, include_acknowledged ? v1::DELIVERY_STATE_ACKNOWLEDGED
                                            : v1::DELIVERY_STATE_QUEUED);
        s.BindInt64(5, limit);
        return sqlite::ReadAll(s, &sqlite::ReadMessage);
      });
}

absl::StatusOr<std::vector<MessageRow>> SqliteStore::ListDueMessages(
    std::string_view recipient_org_id, absl::Time now, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError("list due messages: limit must be >= 1");
  }
  return WithStatement("list due messages", sqlite::kListDueMessagesSql,
                       [&](SqliteStatement& s) {
                         s.BindText(1, recipient_org_id);
                         s.BindInt64(2, v1::DELIVERY_STATE_QUEUED);
                         s.BindInt64(3, sqlite::TimeToMicros(now));
                         s.BindInt64(4, limit);
                         return sqlite::ReadAll(s, &sqlite::ReadMessage);
                       });
}

absl::StatusOr<std::vector<MessageRow>> SqliteStore::ListDeliveries(
    const DeliveryQuery& query) {
  if (query.limit < 1) {
    return absl::InvalidArgumentError("list deliveries: limit must be >= 1");
  }
  const bool by_state = query.state != v1::DELIVERY_STATE_UNSPECIFIED;
  const bool by_recipient = !query.recipient_org_id.empty();
  // Numbered parameters keep their numbers whichever filters are left out.
  const std::string sql =
      absl::StrCat(sqlite::kSelectMessagesSql, " WHERE seq > ?1",
                   by_state ? " AND state = ?2" : "",
                   by_recipient ? " AND recipient_org_id = ?3" : "",
                   " ORDER BY seq LIMIT ?4");
  return WithStatement("list deliveries", sql, [&](SqliteStatement& s) {
    s.BindInt64(1, query.after_seq);
    s.BindInt64(2, query.state);
    s.BindText(3, query.recipient_org_id);
    s.BindInt64(4, query.limit);
    return sqlite::ReadAll(s, &sqlite::ReadMessage);
  });
}

absl::StatusOr<std::vector<DisclosureRow>>
SqliteStore::ListDisclosuresForPatient(const PatientRef& patient,
                                       absl::Time since, absl::Time until) {
  if (patient.practice_org_id.empty() || patient.patient_id.empty()) {
    return absl::InvalidArgumentError(
        "list disclosures: a patient is (practice_org_id, patient_id); both "
        "are required");
  }
  return WithStatement(
      "list disclosures", sqlite::kListDisclosuresSql, [&](SqliteStatement& s) {
        s.BindText(1, patient.patient_id);
        s.BindText(2, patient.practice_org_id);
        s.BindInt64(3, sqlite::TimeToMicros(since));
        s.BindInt64(4, sqlite::TimeToMicros(until));
        s.BindInt64(5, v1::DECISION_OUTCOME_PERMITTED);
        s.BindInt64(6, v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS);
        return sqlite::ReadAll(s, &sqlite::ReadDisclosure);
      });
}

absl::StatusOr<std::vector<AuditEvent>> SqliteStore::QueryAuditEvents(
    const AuditQuery& query) {
  CG_ASSIGN_OR_RETURN(sqlite::AuditQuerySql sql,
                      sqlite::BuildAuditQuerySql(query));
  return WithStatement("query audit events", sql.sql, [&](SqliteStatement& s) {
    sql.Bind(s);
    return sqlite::ReadAll(s, &sqlite::ReadAuditEvent);
  });
}

absl::StatusOr<AuditSummary> SqliteStore::SummarizeAuditEvents(
    absl::Time since, absl::Time until) {
  CG_ASSIGN_OR_RETURN(sqlite::SqliteReadPool::Lease lease, readers_.Acquire());
  return sqlite::SummarizeAuditEvents(lease.connection(), since, until);
}

absl::Status SqliteStore::ScanAuditEvents(
    int64_t from_seq, int64_t to_seq,
    const std::function<bool(const AuditEvent&)>& fn) {
  return WithStatement(
      "scan audit events", sqlite::kScanAuditEventsSql,
      [&](SqliteStatement& s) -> absl::Status {
        s.BindInt64(1, from_seq);
        s.BindInt64(2, to_seq);
        // One event for every row: its strings keep their
        // capacity, so the scan does not allocate per row.
        AuditEvent event;
        while (true) {
          CG_ASSIGN_OR_RETURN(bool has_row, s.Step());
          if (!has_row) return absl::OkStatus();
          CG_RETURN_IF_ERROR(sqlite::ReadAuditEventInto(s, &event));
          if (!fn(event)) return absl::OkStatus();
        }
      });
}

absl::StatusOr<std::vector<Hash256>> SqliteStore::ReadTreeNodes(
    absl::Span<const tlog::NodeId> ids) {
  CG_ASSIGN_OR_RETURN(sqlite::SqliteReadPool::Lease lease, readers_.Acquire());
  return sqlite::ReadTreeNodes(lease.connection(), ids);
}

absl::StatusOr<int64_t> SqliteStore::GetTreeSize() {
  return WithStatement("read tree size", sqlite::kTreeSizeSql,
                       [](SqliteStatement& s) -> absl::StatusOr<int64_t> {
                         CG_ASSIGN_OR_RETURN(bool has_row, s.Step());
                         return has_row ? s.ColumnInt64(0) : 0;
                       });
}

absl::StatusOr<std::optional<Checkpoint>> SqliteStore::GetLatestCheckpoint() {
  return WithStatement("read latest checkpoint", sqlite::kLatestCheckpointSql,
                       [](SqliteStatement& s) {
                         return sqlite::ReadOptional(s,
                                                     &sqlite::ReadCheckpoint);
                       });
}

absl::Status SqliteStore::ScanCheckpoints(
    const std::function<bool(const Checkpoint&)>& fn) {
  return WithStatement("scan checkpoints", sqlite::kScanCheckpointsSql,
                       [&](SqliteStatement& s) -> absl::Status {
                         while (true) {
                           CG_ASSIGN_OR_RETURN(bool has_row, s.Step());
                           if (!has_row) return absl::OkStatus();
                           CG_ASSIGN_OR_RETURN(Checkpoint checkpoint,
                                               sqlite::ReadCheckpoint(s));
                           if (!fn(checkpoint)) return absl::OkStatus();
                         }
                       });
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(
    const std::string& path) {
  CG_RETURN_IF_ERROR(
      CreateDirectories(std::filesystem::path(path).parent_path()));
  CG_ASSIGN_OR_RETURN(std::unique_ptr<ProcessLock> lock,
                      ProcessLock::Acquire(path + ".lock"));
  CG_RETURN_IF_ERROR(CreateFileIfMissing(path));
  CG_ASSIGN_OR_RETURN(
      std::unique_ptr<SqliteConnection> writer,
      SqliteConnection::Open(path, SQLITE_OPEN_READWRITE, kBusyTimeoutMs));
  CG_RETURN_IF_ERROR(ConfigureWriter(*writer));
  CG_RETURN_IF_ERROR(sqlite::MigrateSchema(*writer));
  auto store =
      std::make_unique<SqliteStore>(path, std::move(lock), std::move(writer));
  CG_RETURN_IF_ERROR(store->StartCheckpointer());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace caregate
