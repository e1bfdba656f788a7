// Early returns for absl::Status / absl::StatusOr, huale's only copy.
//
//   HUALE_RETURN_IF_ERROR(WriteFileAtomically(path, text));
//   HUALE_ASSIGN_OR_RETURN(Dataset pool, format->Read(spec, "trainval"));
//
// The error is returned unchanged (no annotation): messages name their file and
// field where they are made.
#ifndef HUALE_CORE_STATUS_MACROS_H_
#define HUALE_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HUALE_RETURN_IF_ERROR(expr)                                    \
  do {                                                                 \
    if (absl::Status huale_status_ = (expr); !huale_status_.ok()) {    \
      return huale_status_;                                            \
    }                                                                  \
  } while (false)

// `lhs` is a declaration (`Foo foo`) or an assignable expression; `rexpr`
// yields an absl::StatusOr<T>.
#define HUALE_ASSIGN_OR_RETURN(lhs, rexpr) \
  HUALE_ASSIGN_OR_RETURN_IMPL_(HUALE_STATUS_CONCAT_(huale_status_or_, __LINE__), lhs, rexpr)

#define HUALE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#define HUALE_STATUS_CONCAT_INNER_(a, b) a##b
#define HUALE_STATUS_CONCAT_(a, b) HUALE_STATUS_CONCAT_INNER_(a, b)

#endif  // HUALE_CORE_STATUS_MACROS_H_
