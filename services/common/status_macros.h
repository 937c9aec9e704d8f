// Small equivalents of the status macros that Abseil 20220623 lacks.
#ifndef CAREGATE_SERVICES_COMMON_STATUS_MACROS_H_
#define CAREGATE_SERVICES_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CG_STATUS_CONCAT_INNER_(a, b) a##b
#define CG_STATUS_CONCAT_(a, b) CG_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define CG_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::absl::Status cg_status_ = (expr);              \
    if (!cg_status_.ok()) return cg_status_;         \
  } while (false)

// `CG_ASSIGN_OR_RETURN(auto x, StatusOrExpr());` declares/assigns `x` from the
// value, or returns the status from the enclosing function.
#define CG_ASSIGN_OR_RETURN(lhs, expr) \
  CG_ASSIGN_OR_RETURN_IMPL_(CG_STATUS_CONCAT_(cg_statusor_, __LINE__), lhs, expr)
#define CG_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status();  \
  lhs = std::move(tmp).value()

#endif  // CAREGATE_SERVICES_COMMON_STATUS_MACROS_H_
