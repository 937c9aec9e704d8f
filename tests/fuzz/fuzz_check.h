// CG_FUZZ_CHECK(cond): the property a fuzz target asserts. When it does not
// hold, prints the condition and where, then executes __builtin_trap(), which
// libFuzzer reports as a crash (and saves the input) and which fails the
// regression run. Works with clang and gcc.
#ifndef CAREGATE_TESTS_FUZZ_FUZZ_CHECK_H_
#define CAREGATE_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>

namespace caregate::fuzz {

[[noreturn]] inline void CheckFailed(const char* condition, const char* file,
                                     int line) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line,
               condition);
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace caregate::fuzz

#define CG_FUZZ_CHECK(condition)                                     \
  do {                                                               \
    if (!(condition)) {                                              \
      ::caregate::fuzz::CheckFailed(#condition, __FILE__, __LINE__); \
    }                                                                \
  } while (0)

#endif  // CAREGATE_TESTS_FUZZ_FUZZ_CHECK_H_
