// When the database cannot be written, calls fail with UNAVAILABLE, nothing
// partial is left, and the gateway recovers once the store is writable again
// — without a restart. The disk is a real, small tmpfs (root only; skipped
// elsewhere).
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/clinic_fixtures.h"

namespace caregate {
namespace {

using ::caregate::testing::Client;
using ::caregate::testing::ConsentFor;
using ::caregate::testing::GatewayHarness;
using ::caregate::testing::NoteTo;

// A tmpfs of `size` mounted for the test's lifetime.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& size) {
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("caregate_small_disk_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0,
                       ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(path_);
  }
  bool mounted() const { return mounted_; }
  bool Resize(const std::string& size) {
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT,
                   ("size=" + size).c_str()) == 0;
  }
  std::string db_path() const { return path_ / "caregate.db"; }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
};

TEST(StoreFailureTest, FullDiskIsUnavailableLeavesNothingAndRecovers) {
  SmallDisk disk("1m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs (needs root)";
  GatewayHarness gateway([&](std::string& config) {
    config = absl::StrReplaceAll(
        config, {{"\"data/caregate.db\"", "\"" + disk.db_path() + "\""}});
  });
  Client therapist(gateway, "dr-rivera");
  Client clinic(gateway, "core-pelvic-pt-inbox");
  Client compliance(gateway, "compliance-officer");
  therapist.Record(ConsentFor("p-1001", "core-pelvic-pt",
                              {v1::CATEGORY_HOMEWORK_PLAN},
                              gateway.clock().Now()));
  ASSERT_TRUE(therapist.last_status.ok()) << therapist.last_status.error_message();

  // Fill the disk with 128 KiB notes until a send fails.
  v1::Disclosure note = NoteTo("p-1001", "core-pelvic-pt", "pt-lindqvist",
                               {v1::CATEGORY_HOMEWORK_PLAN});
  note.mutable_sections(0)->set_body(std::string(128 * 1024, 'h'));
  int sent = 0;
  std::string failed_request;
  for (int i = 0; i < 64 && failed_request.empty(); ++i) {
    const std::string request_id = "req-fill-" + std::to_string(i);
    therapist.Send(note, request_id);
    if (therapist.last_status.ok()) {
      ++sent;
    } else {
      EXPECT_EQ(therapist.last_status.error_code(),
                grpc::StatusCode::UNAVAILABLE)
          << therapist.last_status.error_message();
      failed_request = request_id;
    }
  }
  ASSERT_FALSE(failed_request.empty()) << "the 1 MiB disk never filled";
  ASSERT_GT(sent, 0);

  // Nothing of the failed send exists: the clinic has exactly the sent ones.
  EXPECT_EQ(clinic.Inbox().size(), static_cast<size_t>(sent));

  // Room again: the same request succeeds without a restart, once.
  ASSERT_TRUE(disk.Resize("64m"));
  therapist.Send(note, failed_request);
  ASSERT_TRUE(therapist.last_status.ok()) << therapist.last_status.error_message();
  therapist.Send(note, failed_request);
  ASSERT_TRUE(therapist.last_status.ok());
  EXPECT_EQ(clinic.Inbox().size(), static_cast<size_t>(sent + 1));
  EXPECT_EQ(compliance.Events(v1::AUDIT_ACTION_DISCLOSURE_PERMITTED).size(),
            static_cast<size_t>(sent + 1));
  const v1::VerifyAuditLogResponse verified = compliance.Verify();
  EXPECT_TRUE(verified.ok()) << verified.problem();
}

}  // namespace
}  // namespace caregate
