#include "services/witness/durable_file.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/witness/test_log.h"
#include "tests/testing/status_matchers.h"

namespace caregate::witness {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

int FilesIn(const std::filesystem::path& dir) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++n;
  }
  return n;
}

TEST(ReplaceFileDurablyTest, CreatesAndReplacesWithTheMode) {
  const std::filesystem::path dir = testing::FreshTempDir("durable");
  const std::filesystem::path path = dir / "state";
  CG_ASSERT_OK(ReplaceFileDurably(path, "one\n", 0600));
  EXPECT_EQ(Read(path), "one\n");
  CG_ASSERT_OK(ReplaceFileDurably(path, std::string(100000, 'x'), 0640));
  EXPECT_EQ(Read(path), std::string(100000, 'x'));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(FilesIn(dir), 1);  // no temporary file left
}

TEST(ReplaceFileDurablyTest, FailureKeepsTheOldFileAndLeavesNoTemporary) {
  const std::filesystem::path dir = testing::FreshTempDir("durable");
  const std::filesystem::path path = dir / "target";
  std::filesystem::create_directory(path);  // rename over it fails
  EXPECT_THAT(ReplaceFileDurably(path, "new\n", 0600),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("rename")));
  EXPECT_TRUE(std::filesystem::is_directory(path));
  EXPECT_EQ(FilesIn(dir), 1);
  EXPECT_THAT(ReplaceFileDurably(dir / "missing" / "file", "x", 0600),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("create")));
}

}  // namespace
}  // namespace caregate::witness
