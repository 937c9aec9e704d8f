// The tally of one round of crash-safety checks: how many client-visible
// results were checked, and every violation found, as PHI-free text. A plain
// value; thread-compatible.
#ifndef CAREGATE_TESTS_CRASH_CHECK_FIGURES_H_
#define CAREGATE_TESTS_CRASH_CHECK_FIGURES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace caregate::crash {

struct CheckFigures {
  int64_t receipts_checked = 0;
  int64_t acks_checked = 0;
  int64_t revokes_checked = 0;
  int64_t lost = 0;
  int64_t duplicated = 0;
  int64_t failures = 0;               // every other violated invariant
  int64_t events = 0;                 // audit events read through the API
  std::vector<std::string> problems;  // the first kMaxProblems, in order

  static constexpr size_t kMaxProblems = 40;
  bool ok() const { return lost == 0 && duplicated == 0 && failures == 0; }
  // Something a client was told is missing.
  void Lost(std::string what);
  // Something exists twice.
  void Duplicate(std::string what);
  // Any other broken invariant (chain, verification, unexpected answers).
  void Fail(std::string what);
};

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CHECK_FIGURES_H_
