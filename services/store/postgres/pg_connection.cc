#include "services/store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/store/postgres/pg_codec.h"
#include "services/store/postgres/pg_status.h"

namespace caregate::pg {
namespace {

constexpr int kBinary = 1;

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

void IgnoreNotice(void*, const char*) {}

std::string_view Field(const PGresult* result, int field) {
  const char* value = result ? PQresultErrorField(result, field) : nullptr;
  return value ? std::string_view(value) : std::string_view();
}

}  // namespace

// ---- PgParams

PgParams& PgParams::Add(uint32_t oid, std::string value) {
  types_.push_back(oid);
  values_.push_back(std::move(value));
  nulls_.push_back(false);
  return *this;
}

PgParams& PgParams::Int64(int64_t value) {
  return Add(kInt8Oid, EncodeInt64(value));
}
PgParams& PgParams::Int32(int32_t value) {
  return Add(kInt4Oid, EncodeInt32(value));
}
PgParams& PgParams::Bool(bool value) {
  return Add(kBoolOid, EncodeBool(value));
}
PgParams& PgParams::Text(std::string_view value) {
  return Add(kTextOid, std::string(value));
}
PgParams& PgParams::Bytes(std::string_view value) {
  return Add(kByteaOid, std::string(value));
}
PgParams& PgParams::Int32Array(const std::vector<int>& values) {
  return Add(kInt4ArrayOid, EncodeInt32Array(values));
}
PgParams& PgParams::TextArray(const std::vector<std::string>& values) {
  return Add(kTextArrayOid, EncodeTextArray(values));
}
PgParams& PgParams::Null(uint32_t oid) {
  Add(oid, "");
  nulls_.back() = true;
  return *this;
}

std::vector<const char*> PgParams::values() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) {
    out.push_back(nulls_[i] ? nullptr : values_[i].data());
  }
  return out;
}

std::vector<int> PgParams::lengths() const {
  std::vector<int> out;
  out.reserve(values_.size());
  for (const std::string& v : values_)
    out.push_back(static_cast<int>(v.size()));
  return out;
}

// ---- PgRow

bool PgRow::IsNull(int col) const {
  return PQgetisnull(result_, row_, col) != 0;
}

std::string_view PgRow::Name(int col) const {
  const char* name = PQfname(result_, col);
  return name ? std::string_view(name) : std::string_view("?");
}

void PgRow::Fail(absl::Status status) {
  if (status_.ok()) status_ = std::move(status);
}

std::optional<std::string_view> PgRow::Raw(int col, uint32_t oid) {
  if (!status_.ok()) return std::nullopt;
  if (col >= PQnfields(result_) || PQftype(result_, col) != oid ||
      PQfformat(result_, col) != kBinary) {
    Fail(absl::InternalError(
        absl::StrCat("read column ", View(Name(col)), ": unexpected type")));
    return std::nullopt;
  }
  if (IsNull(col)) {
    Fail(absl::DataLossError(
        absl::StrCat("stored ", View(Name(col)), " is damaged: NULL")));
    return std::nullopt;
  }
  return std::string_view(PQgetvalue(result_, row_, col),
                          PQgetlength(result_, row_, col));
}

int64_t PgRow::Int64(int col) {
  auto raw = Raw(col, kInt8Oid);
  if (!raw) return 0;
  auto value = DecodeInt64(Name(col), *raw);
  if (!value.ok()) Fail(value.status());
  return value.value_or(0);
}

int32_t PgRow::Int32(int col) {
  auto raw = Raw(col, kInt4Oid);
  if (!raw) return 0;
  auto value = DecodeInt32(Name(col), *raw);
  if (!value.ok()) Fail(value.status());
  return value.value_or(0);
}

bool PgRow::Bool(int col) {
  auto raw = Raw(col, kBoolOid);
  if (!raw) return false;
  auto value = DecodeBool(Name(col), *raw);
  if (!value.ok()) Fail(value.status());
  return value.value_or(false);
}

std::string PgRow::Text(int col) {
  auto raw = Raw(col, kTextOid);
  return raw ? std::string(*raw) : std::string();
}

std::string PgRow::Bytes(int col) {
  auto raw = Raw(col, kByteaOid);
  return raw ? std::string(*raw) : std::string();
}

std::vector<int> PgRow::Int32Array(int col) {
  auto raw = Raw(col, kInt4ArrayOid);
  if (!raw) return {};
  auto value = DecodeInt32Array(Name(col), *raw);
  if (!value.ok()) Fail(value.status());
  return value.ok() ? *std::move(value) : std::vector<int>();
}

std::vector<std::string> PgRow::TextArray(int col) {
  auto raw = Raw(col, kTextArrayOid);
  if (!raw) return {};
  auto value = DecodeTextArray(Name(col), *raw);
  if (!value.ok()) Fail(value.status());
  return value.ok() ? *std::move(value) : std::vector<std::string>();
}

std::optional<int64_t> PgRow::NullableInt64(int col) {
  if (status_.ok() && col < PQnfields(result_) && IsNull(col)) {
    return std::nullopt;
  }
  return Int64(col);
}

// ---- PgResult

PgResult::PgResult(PGresult* result) : result_(result) {}
PgResult::PgResult(PgResult&& other) noexcept
    : result_(std::exchange(other.result_, nullptr)) {}
PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}
PgResult::~PgResult() { PQclear(result_); }

int PgResult::rows() const { return PQntuples(result_); }

int64_t PgResult::affected() const {
  const char* text = PQcmdTuples(result_);
  return text && *text ? std::strtoll(text, nullptr, 10) : 0;
}

// ---- PgConnection

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Open(
    const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) {
    return absl::ResourceExhaustedError("connect to database: out of memory");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::Status status =
        ConnectionLost("connect to database", PQerrorMessage(conn));
    PQfinish(conn);
    return status;
  }
  PQsetNoticeProcessor(conn, &IgnoreNotice, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

int PgConnection::socket() const { return PQsocket(conn_); }

absl::StatusOr<std::vector<std::string>> PgConnection::TakeNotifications() {
  if (PQconsumeInput(conn_) == 0 || !healthy()) {
    return ConnectionLost("read notifications", PQerrorMessage(conn_));
  }
  std::vector<std::string> payloads;
  while (PGnotify* notify = PQnotifies(conn_)) {
    payloads.emplace_back(notify->extra != nullptr ? notify->extra : "");
    PQfreemem(notify);
  }
  return payloads;
}

bool PgConnection::InTransaction() const {
  const PGTransactionStatusType s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

bool PgConnection::InFailedTransaction() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

absl::Status PgConnection::Error(std::string_view op,
                                 const PGresult* result) const {
  const std::string_view sqlstate = Field(result, PG_DIAG_SQLSTATE);
  if (sqlstate.empty() || !healthy()) {
    // No answer from the server: the connection is gone.
    return ConnectionLost(op, PQerrorMessage(conn_));
  }
  return StatusForSqlState(op, sqlstate,
                           Field(result, PG_DIAG_CONSTRAINT_NAME));
}

absl::Status PgConnection::Exec(std::string_view op, const std::string& sql) {
  if (!healthy()) return ConnectionLost(op, PQerrorMessage(conn_));
  if (has_deferred()) {
    CG_RETURN_IF_ERROR(DeferSimple(op, sql));
    return Flush();
  }
  PgResult result(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return absl::OkStatus();
  }
  return Error(op, result.get());
}

absl::StatusOr<std::string> PgConnection::Prepared(std::string_view op,
                                                   const std::string& sql,
                                                   const PgParams& params) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
  std::string name = absl::StrCat("s", prepared_.size() + 1);
  PgResult result(PQprepare(conn_, name.c_str(), sql.c_str(), params.size(),
                            params.types().data()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return Error(op, result.get());
  }
  prepared_.emplace(sql, name);
  return name;
}

absl::StatusOr<PgResult> PgConnection::Query(std::string_view op,
                                             const std::string& sql,
                                             const PgParams& params) {
  if (!healthy()) return ConnectionLost(op, PQerrorMessage(conn_));
  if (has_deferred() && prepared_.count(sql) > 0) {
    // One round trip for the deferred statements and this one.
    CG_RETURN_IF_ERROR(Defer(op, sql, params));
    deferred_.pop_back();  // its result is read as the query's
    PgResult result(nullptr);
    CG_RETURN_IF_ERROR(SyncPipeline(op, &result));
    return result;
  }
  CG_RETURN_IF_ERROR(Flush());
  absl::StatusOr<std::string> name = Prepared(op, sql, params);
  if (!name.ok()) return name.status();
  const std::vector<const char*> values = params.values();
  const std::vector<int> lengths = params.lengths();
  const std::vector<int> formats(params.size(), kBinary);
  PgResult result(PQexecPrepared(conn_, name->c_str(), params.size(),
                                 values.data(), lengths.data(), formats.data(),
                                 kBinary));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Error(op, result.get());
  }
  return result;
}

absl::Status PgConnection::EnterPipeline(std::string_view op) {
  if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) return absl::OkStatus();
  if (PQenterPipelineMode(conn_) != 1) {
    return ConnectionLost(op, PQerrorMessage(conn_));
  }
  return absl::OkStatus();
}

absl::Status PgConnection::Defer(std::string_view op, const std::string& sql,
                                 const PgParams& params, Expect expect) {
  if (!healthy()) return ConnectionLost(op, PQerrorMessage(conn_));
  if (prepared_.count(sql) == 0) {
    // PQprepare is synchronous: empty the pipeline first (first use only).
    CG_RETURN_IF_ERROR(Flush());
    CG_RETURN_IF_ERROR(Prepared(op, sql, params).status());
  }
  CG_RETURN_IF_ERROR(EnterPipeline(op));
  const std::vector<const char*> values = params.values();
  const std::vector<int> lengths = params.lengths();
  const std::vector<int> formats(params.size(), kBinary);
  if (PQsendQueryPrepared(conn_, prepared_[sql].c_str(), params.size(),
                          values.data(), lengths.data(), formats.data(),
                          kBinary) != 1) {
    return ConnectionLost(op, PQerrorMessage(conn_));
  }
  deferred_.push_back({std::string(op), expect});
  return absl::OkStatus();
}

absl::Status PgConnection::DeferSimple(std::string_view op,
                                       const std::string& sql, Expect expect) {
  if (!healthy()) return ConnectionLost(op, PQerrorMessage(conn_));
  CG_RETURN_IF_ERROR(EnterPipeline(op));
  if (PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr,
                        nullptr, kBinary) != 1) {
    return ConnectionLost(op, PQerrorMessage(conn_));
  }
  deferred_.push_back({std::string(op), expect});
  return absl::OkStatus();
}

absl::Status PgConnection::Flush() {
  if (!has_deferred()) return absl::OkStatus();
  return SyncPipeline("flush", nullptr);
}

absl::Status PgConnection::TakeDeferredResult(const Deferred& d) {
  PGresult* raw = PQgetResult(conn_);
  if (raw == nullptr) return ConnectionLost(d.op, PQerrorMessage(conn_));
  PgResult result(raw);
  // Each statement's results end with a null.
  while (PGresult* more = PQgetResult(conn_)) PQclear(more);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_PIPELINE_ABORTED) {
    return absl::AbortedError(
        absl::StrCat(d.op, ": skipped after an earlier statement failed"));
  }
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Error(d.op, result.get());
  }
  if (d.expect == Expect::kChangedRow && result.affected() == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(d.op, ": a row with that key exists"));
  }
  return absl::OkStatus();
}

absl::Status PgConnection::SyncPipeline(std::string_view query_op,
                                        PgResult* query_result) {
  std::vector<Deferred> deferred;
  deferred.swap(deferred_);
  const std::string op =
      deferred.empty() ? std::string(query_op) : deferred.front().op;
  if (PQpipelineSync(conn_) != 1)
    return ConnectionLost(op, PQerrorMessage(conn_));
  // The first failure is the cause; the statements after it were skipped.
  absl::Status first;
  for (const Deferred& d : deferred) {
    absl::Status s = TakeDeferredResult(d);
    if (!s.ok() && d.expect == Expect::kMustSucceed)
      must_succeed_failed_ = true;
    if (!healthy()) return ConnectionLost(d.op, PQerrorMessage(conn_));
    if (first.ok() && !s.ok()) first = s;
  }
  if (query_result != nullptr) {
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) return ConnectionLost(query_op, PQerrorMessage(conn_));
    *query_result = PgResult(raw);
    while (PGresult* more = PQgetResult(conn_)) PQclear(more);
    const ExecStatusType status = PQresultStatus(query_result->get());
    if (first.ok() && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      first = status == PGRES_PIPELINE_ABORTED
                  ? absl::AbortedError(absl::StrCat(
                        AsAbsl(query_op),
                        ": skipped after an earlier statement failed"))
                  : Error(query_op, query_result->get());
    }
  }
  // The Sync's own result.
  PGresult* sync = PQgetResult(conn_);
  if (sync == nullptr || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
    if (sync != nullptr) PQclear(sync);
    return ConnectionLost(op, PQerrorMessage(conn_));
  }
  PQclear(sync);
  if (PQexitPipelineMode(conn_) != 1) {
    return ConnectionLost(op, PQerrorMessage(conn_));
  }
  return first;
}

}  // namespace caregate::pg
