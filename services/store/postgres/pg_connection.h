// A libpq connection for the PostgreSQL Store, with parameterized
// statements in binary form (pg_codec.h) and errors mapped by pg_status.h.
//
// PgConnection: one libpq connection (RAII: closed by the destructor).
// Query() prepares each distinct SQL text once per connection (named
// statements "s1", "s2", ...) and then runs it with PQexecPrepared, all
// parameters and results in binary. Exec() runs parameterless SQL (one or
// more statements) with the simple protocol. The server's notices are
// dropped (they can quote values). A conninfo may name several hosts
// ("host=a,b port=5432,5432 target_session_attrs=read-write"): libpq tries
// them in order, every time a connection is opened.
//
// Defer() and DeferSimple() queue statements in libpq's pipeline mode
// without waiting for their results, so a writer's statements cost one
// round trip per Flush() instead of one each. Flush() sends a Sync and reads
// every deferred result: the first error (or ALREADY_EXISTS for a deferred
// Expect::kChangedRow statement that changed nothing), named by the
// statement's op, is returned, and the server skips the statements after a
// failed one up to the Sync. Exec() and Query() join the pipeline when
// statements are deferred (one round trip for both), and then return the
// first deferred error instead of their own result.
//
// Once the connection is lost (healthy() false), every call returns
// UNAVAILABLE: the owner replaces the connection; libpq does not reconnect
// by itself.
//
// Thread-compatible: one thread at a time per connection (PgReadPool and the
// writer's mutex in PostgresStore see to that). PgResult and PgRow are
// values that own, or point into, one PGresult.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_CONNECTION_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace caregate::pg {

// The parameters $1..$n of one statement, in order, each with its type.
class PgParams {
 public:
  PgParams& Int64(int64_t value);
  PgParams& Int32(int32_t value);
  PgParams& Bool(bool value);
  PgParams& Text(std::string_view value);
  PgParams& Bytes(std::string_view value);
  PgParams& Int32Array(const std::vector<int>& values);
  PgParams& TextArray(const std::vector<std::string>& values);
  // SQL NULL of type `oid` (pg_codec.h).
  PgParams& Null(uint32_t oid);

  int size() const { return static_cast<int>(types_.size()); }
  const std::vector<uint32_t>& types() const { return types_; }
  // Pointers for libpq, valid until this object changes or is destroyed.
  std::vector<const char*> values() const;
  std::vector<int> lengths() const;

 private:
  PgParams& Add(uint32_t oid, std::string value);

  std::vector<uint32_t> types_;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

// One row of a result. Each accessor checks the column's type; the first
// mismatch or damaged value is kept in status() (DATA_LOSS) and the
// accessors return empty values from then on, so a reader reads every field
// and checks status() once.
class PgRow {
 public:
  PgRow(const PGresult* result, int row) : result_(result), row_(row) {}

  bool IsNull(int col) const;
  int64_t Int64(int col);
  int32_t Int32(int col);
  bool Bool(int col);
  std::string Text(int col);
  std::string Bytes(int col);
  std::vector<int> Int32Array(int col);
  std::vector<std::string> TextArray(int col);
  std::optional<int64_t> NullableInt64(int col);

  const absl::Status& status() const { return status_; }

 private:
  // The raw bytes of `col` if it has type `oid` and is not NULL.
  std::optional<std::string_view> Raw(int col, uint32_t oid);
  std::string_view Name(int col) const;
  void Fail(absl::Status status);

  const PGresult* result_;
  int row_;
  absl::Status status_;
};

// A statement's result (owns the PGresult).
class PgResult {
 public:
  explicit PgResult(PGresult* result);
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&& other) noexcept;
  ~PgResult();

  int rows() const;
  // Rows inserted, updated or deleted by the command.
  int64_t affected() const;
  PgRow row(int i) const { return PgRow(result_, i); }
  const PGresult* get() const { return result_; }

 private:
  PGresult* result_;
};

class PgConnection {
 public:
  // Connects; UNAVAILABLE (with libpq's message about the connection) when
  // no listed server accepts, e.g. also when the database does not exist.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Open(
      const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // What a deferred statement must do to count as done.
  enum class Expect {
    kAnyResult,   // succeed
    kChangedRow,  // succeed and insert, update or delete a row
    // Succeed, or nothing of the transaction may commit: for a statement
    // that belongs to no command any more (a RELEASE sent with the next
    // command's statements).
    kMustSucceed,
  };

  // Runs parameterless `sql` (one or more statements; exactly one while
  // statements are deferred), results ignored.
  absl::Status Exec(std::string_view op, const std::string& sql);
  // Runs `sql` with `params` (the statement is prepared on first use).
  absl::StatusOr<PgResult> Query(std::string_view op, const std::string& sql,
                                 const PgParams& params);

  // Queues `sql` with `params` (prepared first, synchronously, if new) in
  // the pipeline; its outcome is reported by the next Flush(), Exec() or
  // Query().
  absl::Status Defer(std::string_view op, const std::string& sql,
                     const PgParams& params,
                     Expect expect = Expect::kAnyResult);
  // Queues one parameterless statement, e.g. SAVEPOINT.
  absl::Status DeferSimple(std::string_view op, const std::string& sql,
                           Expect expect = Expect::kAnyResult);
  // Sends the deferred statements' Sync and reads their results; OK when
  // none is deferred. The pipeline is empty afterwards, whatever happened.
  absl::Status Flush();
  bool has_deferred() const { return !deferred_.empty(); }
  // Whether a kMustSucceed statement failed since the last call; clears it.
  bool TakeMustSucceedFailure() {
    const bool failed = must_succeed_failed_;
    must_succeed_failed_ = false;
    return failed;
  }

  // False once the connection to the server is lost.
  bool healthy() const;
  // Inside a transaction block (also a failed one, awaiting ROLLBACK).
  bool InTransaction() const;
  // Inside a transaction block that an error has aborted.
  bool InFailedTransaction() const;

  // For a connection that LISTENs: the socket to wait on for input, and the
  // payloads of the notifications that arrived since the last call (reading
  // what the socket holds first, without blocking). UNAVAILABLE once the
  // connection is lost.
  int socket() const;
  absl::StatusOr<std::vector<std::string>> TakeNotifications();

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}

  // The error status of a call that returned `result` (may be null).
  absl::Status Error(std::string_view op, const PGresult* result) const;
  // The name of the prepared statement for `sql`, preparing it if needed.
  absl::StatusOr<std::string> Prepared(std::string_view op,
                                       const std::string& sql,
                                       const PgParams& params);

  struct Deferred {
    std::string op;
    Expect expect = Expect::kAnyResult;
  };
  // Switches to pipeline mode if needed.
  absl::Status EnterPipeline(std::string_view op);
  // Sends a Sync and reads the deferred results, then (when `query_result`
  // is not null) into it the result of the statement sent last, `query_op`;
  // leaves pipeline mode. The first failure.
  absl::Status SyncPipeline(std::string_view query_op, PgResult* query_result);
  // The status of one deferred statement's result (consumed up to its end).
  absl::Status TakeDeferredResult(const Deferred& d);

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> name
  std::vector<Deferred> deferred_;
  bool must_succeed_failed_ = false;
};

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_CONNECTION_H_
