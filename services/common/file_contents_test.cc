#include "services/common/file_contents.h"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

MATCHER_P(IsOkAndHolds, value, "is OK and holds the given bytes") {
  return arg.ok() && *arg == value;
}

class FileContentsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  ::caregate::testing::TempDir dir_{"file_contents"};
};

TEST_F(FileContentsTest, ReadsEveryByte) {
  std::string bytes(200000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i);
  EXPECT_THAT(ReadFileContents(Write("big", bytes)), IsOkAndHolds(bytes));
  EXPECT_THAT(ReadFileContents(Write("empty", "")), IsOkAndHolds(""));
}

// A pipe has no size to go by: the contents grow as they arrive.
TEST_F(FileContentsTest, ReadsAPipeLongerThanItsFirstBuffer) {
  const std::string path = (dir_ / "pipe").string();
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  std::string bytes(300000, 'p');
  bytes.back() = 'q';
  std::thread writer([&] { std::ofstream(path, std::ios::binary) << bytes; });
  absl::StatusOr<std::string> read = ReadFileContents(path);
  writer.join();
  EXPECT_THAT(read, IsOkAndHolds(bytes));
}

TEST_F(FileContentsTest, MissingFileIsNotFoundWithTheReason) {
  EXPECT_THAT(ReadFileContents(dir_.path() + "/absent"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("No such file or directory")));
}

TEST_F(FileContentsTest, DirectoryIsAnErrorNotEmptyContents) {
  EXPECT_THAT(ReadFileContents(dir_.path()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("Is a directory")));
}

TEST_F(FileContentsTest, FileOverTheLimitIsRefused) {
  const std::string path = Write("ten", "0123456789");
  EXPECT_THAT(ReadFileContents(path, 10), IsOkAndHolds("0123456789"));
  EXPECT_THAT(ReadFileContents(path, 9),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("larger than 9 bytes")));
}

}  // namespace
}  // namespace caregate
