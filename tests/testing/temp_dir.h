// A fresh directory for one test, removed with everything in it when the
// object goes: the one temp-dir helper of the unit tests.
#ifndef CAREGATE_TESTS_TESTING_TEMP_DIR_H_
#define CAREGATE_TESTS_TESTING_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "gtest/gtest.h"

namespace caregate::testing {

class TempDir {
 public:
  // A new directory "<prefix>_XXXXXX" under ::testing::TempDir(), private to
  // its owner (mkdtemp). A failure to make it fails the test.
  explicit TempDir(std::string_view prefix = "caregate") {
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / prefix).string() +
        "_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A path inside the directory.
  std::filesystem::path operator/(std::string_view name) const {
    return std::filesystem::path(path_) / name;
  }

 private:
  std::string path_;
};

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_TESTING_TEMP_DIR_H_
