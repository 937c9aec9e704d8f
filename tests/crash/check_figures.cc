#include "tests/crash/check_figures.h"

#include <utility>

namespace caregate::crash {
namespace {

void Note(std::vector<std::string>& problems, const char* kind,
          std::string what) {
  if (problems.size() < CheckFigures::kMaxProblems) {
    problems.push_back(kind + std::move(what));
  }
}

}  // namespace

void CheckFigures::Lost(std::string what) {
  ++lost;
  Note(problems, "LOST ", std::move(what));
}

void CheckFigures::Duplicate(std::string what) {
  ++duplicated;
  Note(problems, "DUPLICATE ", std::move(what));
}

void CheckFigures::Fail(std::string what) {
  ++failures;
  Note(problems, "FAILED ", std::move(what));
}

}  // namespace caregate::crash
