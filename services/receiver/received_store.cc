#include "services/receiver/received_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/config/gateway_config.h"
#include "services/crypto/random.h"
#include "services/pki/new_file_set.h"

namespace caregate::care_receiver {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMessageSuffix = ".message.json";
constexpr std::string_view kBundleSuffix = ".bundle.json";
constexpr std::string_view kTempMarker = ".tmp-";
constexpr mode_t kFileMode = 0600;  // patient data
constexpr mode_t kDirMode = 0700;
constexpr int kMaxMessageIdLength = 256;

absl::StatusOr<absl::Time> ModificationTime(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return pki::ErrnoStatus(errno, "stat", path);
  }
  return absl::TimeFromTimespec(st.st_mtim);
}

absl::Status SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return pki::ErrnoStatus(errno, "open", dir);
  const int rc = ::fsync(fd);
  const int saved_errno = errno;
  ::close(fd);
  return rc == 0 ? absl::OkStatus()
                 : pki::ErrnoStatus(saved_errno, "fsync", dir);
}

}  // namespace

bool IsSafeMessageId(std::string_view message_id) {
  return IsValidId(message_id, kMaxMessageIdLength);
}

std::string ReceivedStore::MessageFileName(std::string_view message_id) {
  return absl::StrCat(AsAbsl(message_id), AsAbsl(kMessageSuffix));
}

std::string ReceivedStore::BundleFileName(std::string_view message_id) {
  return absl::StrCat(AsAbsl(message_id), AsAbsl(kBundleSuffix));
}

absl::StatusOr<std::unique_ptr<ReceivedStore>> ReceivedStore::Open(
    const std::string& dir) {
  pki::NewFileSet created;
  CG_RETURN_IF_ERROR(created.MakeDirs(dir, kDirMode));
  created.Commit();
  std::unique_ptr<ReceivedStore> store(new ReceivedStore(dir));
  CG_RETURN_IF_ERROR(store->Load());
  return store;
}

absl::Status ReceivedStore::Load() {
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) return pki::ErrnoStatus(ec.value(), "read directory", dir_);
  absl::MutexLock lock(&mu_);
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.front() == '.' && name.find(kTempMarker) != std::string::npos) {
      fs::remove(entry.path(), ec);  // left by a crash mid-write
      continue;
    }
    if (!absl::EndsWith(name, AsAbsl(kMessageSuffix))) continue;
    const std::string id = name.substr(0, name.size() - kMessageSuffix.size());
    if (!IsSafeMessageId(id)) continue;
    CG_ASSIGN_OR_RETURN(absl::Time received_at, ModificationTime(entry.path()));
    stored_[id] = received_at;
  }
  return absl::OkStatus();
}

absl::Status ReceivedStore::WriteDurably(const std::string& name,
                                         std::string_view contents) {
  const fs::path final_path = fs::path(dir_) / name;
  const fs::path temp_path =
      fs::path(dir_) / absl::StrCat(".", name, AsAbsl(kTempMarker),
                                    absl::BytesToHexString(RandomBytes(8)));
  pki::NewFileSet temp;  // removes the temporary file unless committed
  CG_RETURN_IF_ERROR(temp.WriteFile(temp_path, contents, kFileMode));
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    return pki::ErrnoStatus(errno, "rename", final_path);
  }
  temp.Commit();
  return SyncDirectory(dir_);
}

absl::StatusOr<ReceivedStore::Stored> ReceivedStore::StoreOnce(
    std::string_view message_id, std::string_view message_json,
    std::string_view bundle_json) {
  if (!IsSafeMessageId(message_id)) {
    return absl::InvalidArgumentError(
        "message_id: must be 1..256 characters of [A-Za-z0-9._:-]");
  }
  const std::string id(message_id);
  {
    absl::MutexLock lock(&mu_);
    auto not_writing = [this, &id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !writing_.contains(id);
    };
    mu_.Await(absl::Condition(&not_writing));
    if (auto it = stored_.find(id); it != stored_.end()) {
      return Stored{true, it->second};
    }
    writing_.insert(id);
  }
  absl::Status written = WriteDurably(BundleFileName(id), bundle_json);
  if (written.ok()) written = WriteDurably(MessageFileName(id), message_json);
  absl::StatusOr<absl::Time> received_at =
      written.ok() ? ModificationTime(fs::path(dir_) / MessageFileName(id))
                   : absl::StatusOr<absl::Time>(written);
  absl::MutexLock lock(&mu_);
  writing_.erase(id);
  if (!received_at.ok()) return received_at.status();
  stored_[id] = *received_at;
  return Stored{false, *received_at};
}

size_t ReceivedStore::size() const {
  absl::MutexLock lock(&mu_);
  return stored_.size();
}

}  // namespace caregate::care_receiver
