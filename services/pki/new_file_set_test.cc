#include "services/pki/new_file_set.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate::pki {
namespace {

namespace fs = std::filesystem;
using ::caregate::testing::StatusIs;
using ::caregate::testing::TempDir;
using ::testing::HasSubstr;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t ModeOf(const fs::path& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(NewFileSetTest, WritesExactContentsAndMode) {
  TempDir tmp;
  fs::path dir = tmp.path();
  NewFileSet files;
  CG_ASSERT_OK(files.WriteFile(dir / "secret", "abc\n", 0600));
  CG_ASSERT_OK(files.WriteFile(dir / "public", "", 0644));
  files.Commit();
  EXPECT_EQ(ReadFile(dir / "secret"), "abc\n");
  EXPECT_EQ(ModeOf(dir / "secret"), 0600u);
  EXPECT_EQ(ReadFile(dir / "public"), "");
  EXPECT_EQ(ModeOf(dir / "public"), 0644u);
}

TEST(NewFileSetTest, NeverOverwritesAnExistingFile) {
  TempDir tmp;
  fs::path dir = tmp.path();
  std::ofstream(dir / "f") << "original";
  NewFileSet files;
  EXPECT_THAT(files.WriteFile(dir / "f", "new", 0600),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr((dir / "f").string())));
  files.Commit();
  EXPECT_EQ(ReadFile(dir / "f"), "original");
}

TEST(NewFileSetTest, DoesNotFollowASymlink) {
  TempDir tmp;
  fs::path dir = tmp.path();
  fs::create_symlink(dir / "target", dir / "link");
  NewFileSet files;
  EXPECT_THAT(files.WriteFile(dir / "link", "x", 0600),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("link")));
  EXPECT_FALSE(fs::exists(dir / "target"));
}

TEST(NewFileSetTest, RollsBackEverythingItCreatedUnlessCommitted) {
  TempDir tmp;
  fs::path dir = tmp.path();
  fs::create_directory(dir / "kept");
  std::ofstream(dir / "kept" / "old") << "old";
  {
    NewFileSet files;
    CG_ASSERT_OK(files.MakeDirs(dir / "kept", 0700));
    CG_ASSERT_OK(files.MakeDirs(dir / "a" / "b", 0700));
    CG_ASSERT_OK(files.WriteFile(dir / "a" / "b" / "f", "x", 0600));
    CG_ASSERT_OK(files.WriteFile(dir / "kept" / "new", "y", 0644));
    // A later failure: the set is destroyed without Commit().
    EXPECT_THAT(files.WriteFile(dir / "kept" / "old", "z", 0600),
                StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("old")));
  }
  EXPECT_FALSE(fs::exists(dir / "a"));
  EXPECT_FALSE(fs::exists(dir / "kept" / "new"));
  EXPECT_EQ(ReadFile(dir / "kept" / "old"), "old");
}

TEST(NewFileSetTest, MakeDirsSetsExactModeOnNewDirectories) {
  TempDir tmp;
  fs::path dir = tmp.path();
  NewFileSet files;
  CG_ASSERT_OK(files.MakeDirs(dir / "x" / "y", 0700));
  files.Commit();
  EXPECT_EQ(ModeOf(dir / "x"), 0700u);
  EXPECT_EQ(ModeOf(dir / "x" / "y"), 0700u);
}

TEST(NewFileSetTest, MakeDirsRefusesAFileInTheWay) {
  TempDir tmp;
  fs::path dir = tmp.path();
  std::ofstream(dir / "file") << "x";
  NewFileSet files;
  EXPECT_THAT(files.MakeDirs(dir / "file", 0700),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a directory")));
}

TEST(NewFileSetTest, MissingParentIsNotFound) {
  TempDir tmp;
  fs::path dir = tmp.path();
  NewFileSet files;
  EXPECT_THAT(files.WriteFile(dir / "missing" / "f", "x", 0600),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
}

}  // namespace
}  // namespace caregate::pki
