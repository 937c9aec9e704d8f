#include "services/store/sqlite_batching_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace caregate::sqlite {
namespace {

constexpr char kVfsName[] = "caregate-batching";
constexpr size_t kMaxGatheredBytes = size_t{4} << 20;
constexpr int kMaxIssuedBytes = 64 << 10;
// The WAL file format: a frame is a 24-byte header and a page; bytes 4..7 of
// the header hold the database size after the commit, zero unless the frame
// ends a transaction.
constexpr int kFrameHeaderBytes = 24;
constexpr std::string_view kWalSuffix = "-wal";

std::atomic<int64_t> wal_writes_received{0};
std::atomic<int64_t> wal_writes_issued{0};

bool IsCommitFrameHeader(const char* header) {
  return header[4] != 0 || header[5] != 0 || header[6] != 0 || header[7] != 0;
}

// The writes gathered for one WAL handle, issued through the wrapped file.
class GatheredWal {
 public:
  explicit GatheredWal(sqlite3_file* real) : real_(real) {}

  int Write(const char* data, int amount, int64_t offset) {
    wal_writes_received.fetch_add(1, std::memory_order_relaxed);
    absl::MutexLock lock(&mu_);
    writer_ = std::this_thread::get_id();
    const bool ends_commit = offset == commit_page_at_;
    commit_page_at_ = amount == kFrameHeaderBytes && IsCommitFrameHeader(data)
                          ? offset + amount
                          : -1;
    const int64_t end = offset_ + static_cast<int64_t>(bytes_.size());
    if (!bytes_.empty() && offset >= offset_ && offset + amount <= end) {
      // A frame written again before the commit, or a frame of a rolled
      // back transaction (still gathered after a failed write) overwritten.
      std::memcpy(bytes_.data() + (offset - offset_), data, amount);
    } else {
      if (!bytes_.empty() &&
          (offset != end || bytes_.size() + amount > kMaxGatheredBytes)) {
        if (const int rc = FlushLocked(); rc != SQLITE_OK) return rc;
      }
      if (static_cast<size_t>(amount) > kMaxGatheredBytes) {
        return Issue(data, amount, offset);
      }
      if (bytes_.empty()) offset_ = offset;
      bytes_.append(data, amount);
    }
    return ends_commit ? FlushLocked() : SQLITE_OK;
  }

  int Flush() {
    absl::MutexLock lock(&mu_);
    return FlushLocked();
  }

  // Issues the gathered bytes when the calling thread wrote them: the
  // thread of the connection that commits, which is the one that publishes
  // the commit. Another connection's barrier leaves them (it publishes
  // nothing), so SQLite's file object is only ever used on its own thread.
  void FlushOnWritersThread() {
    absl::MutexLock lock(&mu_);
    if (writer_ == std::this_thread::get_id()) FlushLocked();
  }

  // Issues the gathered bytes first when [offset, offset + amount) reads any
  // of them.
  int FlushBeforeReading(int64_t offset, int amount) {
    absl::MutexLock lock(&mu_);
    const int64_t end = offset_ + static_cast<int64_t>(bytes_.size());
    if (bytes_.empty() || offset >= end || offset + amount <= offset_) {
      return SQLITE_OK;
    }
    return FlushLocked();
  }

 private:
  // On failure the bytes stay gathered: the next flush tries them again,
  // and the caller's SQLite operation fails now.
  int FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (bytes_.empty()) return SQLITE_OK;
    const int rc =
        Issue(bytes_.data(), static_cast<int>(bytes_.size()), offset_);
    if (rc == SQLITE_OK) bytes_.clear();  // keeps the capacity for the next
    return rc;
  }

  // In pieces: the unix VFS writes less than 128 KiB per call.
  int Issue(const char* data, int amount, int64_t offset) {
    for (int done = 0; done < amount;) {
      const int piece = std::min(amount - done, kMaxIssuedBytes);
      wal_writes_issued.fetch_add(1, std::memory_order_relaxed);
      const int rc =
          real_->pMethods->xWrite(real_, data + done, piece, offset + done);
      if (rc != SQLITE_OK) return rc;
      done += piece;
    }
    return SQLITE_OK;
  }

  sqlite3_file* const real_;
  absl::Mutex mu_;
  int64_t offset_ ABSL_GUARDED_BY(mu_) = 0;
  std::string bytes_ ABSL_GUARDED_BY(mu_);
  // Where the page of the commit frame whose header came last begins; -1
  // when the last write was not such a header.
  int64_t commit_page_at_ ABSL_GUARDED_BY(mu_) = -1;
  // The thread of the last write.
  std::thread::id writer_ ABSL_GUARDED_BY(mu_);
};

// The WAL handles of one database that have gathered writes, for the
// barrier of any handle of that database to issue.
class WalGroup {
 public:
  void Add(GatheredWal* wal) {
    absl::MutexLock lock(&mu_);
    wals_.push_back(wal);
  }
  void Remove(GatheredWal* wal) {
    absl::MutexLock lock(&mu_);
    wals_.erase(std::remove(wals_.begin(), wals_.end(), wal), wals_.end());
  }
  // A barrier cannot report an error: a failed write stays gathered, and
  // the handle's own next operation reports it.
  void FlushOnWritersThread() {
    absl::MutexLock lock(&mu_);
    for (GatheredWal* wal : wals_) wal->FlushOnWritersThread();
  }

 private:
  absl::Mutex mu_;
  std::vector<GatheredWal*> wals_ ABSL_GUARDED_BY(mu_);
};

// The groups by database path; a group lives while a handle of it is open.
class WalGroups {
 public:
  std::shared_ptr<WalGroup> Find(const std::string& db_path) {
    absl::MutexLock lock(&mu_);
    std::weak_ptr<WalGroup>& slot = groups_[db_path];
    std::shared_ptr<WalGroup> group = slot.lock();
    if (group == nullptr) {
      group = std::make_shared<WalGroup>();
      slot = group;
    }
    return group;
  }

 private:
  absl::Mutex mu_;
  // Expired entries are reused when their path opens again; a process opens
  // a handful of databases.
  absl::flat_hash_map<std::string, std::weak_ptr<WalGroup>> groups_
      ABSL_GUARDED_BY(mu_);
};

WalGroups& Groups() {
  static auto* groups = new WalGroups();
  return *groups;
}

// What this VFS keeps for one open file. `gathered` is set for a WAL, and
// joins `group` at its first write.
struct FileState {
  std::shared_ptr<WalGroup> group;
  std::unique_ptr<GatheredWal> gathered;
  bool in_group = false;
};

// The file object SQLite allocates (szOsFile bytes, 8-byte aligned): this
// header, then the wrapped VFS's own file object.
struct ShimFile {
  sqlite3_file base;
  FileState* state;
};
static_assert(sizeof(ShimFile) % 8 == 0);

sqlite3_file* Real(sqlite3_file* file) {
  return reinterpret_cast<sqlite3_file*>(reinterpret_cast<ShimFile*>(file) + 1);
}
FileState& State(sqlite3_file* file) {
  return *reinterpret_cast<ShimFile*>(file)->state;
}
GatheredWal* Gathered(sqlite3_file* file) { return State(file).gathered.get(); }
const sqlite3_io_methods& RealMethods(sqlite3_file* file) {
  return *Real(file)->pMethods;
}

int FileClose(sqlite3_file* file) {
  FileState* state = &State(file);
  int rc = SQLITE_OK;
  if (state->gathered != nullptr) {
    if (state->in_group) state->group->Remove(state->gathered.get());
    rc = state->gathered->Flush();
  }
  const int close_rc = RealMethods(file).xClose(Real(file));
  delete state;
  reinterpret_cast<ShimFile*>(file)->state = nullptr;
  return rc != SQLITE_OK ? rc : close_rc;
}

int FileRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  if (GatheredWal* wal = Gathered(file)) {
    if (const int rc = wal->FlushBeforeReading(offset, amount); rc) return rc;
  }
  return RealMethods(file).xRead(Real(file), out, amount, offset);
}

int FileWrite(sqlite3_file* file, const void* data, int amount,
              sqlite3_int64 offset) {
  FileState& state = State(file);
  if (state.gathered == nullptr) {
    return RealMethods(file).xWrite(Real(file), data, amount, offset);
  }
  if (!state.in_group) {
    state.group->Add(state.gathered.get());
    state.in_group = true;
  }
  return state.gathered->Write(static_cast<const char*>(data), amount, offset);
}

// Runs `op` on the wrapped file after issuing what the handle gathered.
template <typename Op>
int AfterFlush(sqlite3_file* file, Op op) {
  if (GatheredWal* wal = Gathered(file)) {
    if (const int rc = wal->Flush(); rc != SQLITE_OK) return rc;
  }
  return op(Real(file), RealMethods(file));
}

int FileTruncate(sqlite3_file* file, sqlite3_int64 size) {
  return AfterFlush(file, [&](sqlite3_file* real, const sqlite3_io_methods& m) {
    return m.xTruncate(real, size);
  });
}
int FileSync(sqlite3_file* file, int flags) {
  return AfterFlush(file, [&](sqlite3_file* real, const sqlite3_io_methods& m) {
    return m.xSync(real, flags);
  });
}
int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  return AfterFlush(file, [&](sqlite3_file* real, const sqlite3_io_methods& m) {
    return m.xFileSize(real, size);
  });
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  return AfterFlush(file, [&](sqlite3_file* real, const sqlite3_io_methods& m) {
    return m.xFileControl(real, op, arg);
  });
}

int FileLock(sqlite3_file* file, int level) {
  return RealMethods(file).xLock(Real(file), level);
}
int FileUnlock(sqlite3_file* file, int level) {
  return RealMethods(file).xUnlock(Real(file), level);
}
int FileCheckReservedLock(sqlite3_file* file, int* out) {
  return RealMethods(file).xCheckReservedLock(Real(file), out);
}
int FileSectorSize(sqlite3_file* file) {
  return RealMethods(file).xSectorSize(Real(file));
}
int FileDeviceCharacteristics(sqlite3_file* file) {
  return RealMethods(file).xDeviceCharacteristics(Real(file));
}

// Version 2 and 3 methods: shared memory and memory-mapped pages. SQLite
// calls them only when the wrapped file's methods have them (iVersion is
// copied from the wrapped file at open).
int FileShmMap(sqlite3_file* file, int region, int size, int extend,
               void volatile** out) {
  return RealMethods(file).xShmMap(Real(file), region, size, extend, out);
}
int FileShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return RealMethods(file).xShmLock(Real(file), offset, n, flags);
}
void FileShmBarrier(sqlite3_file* file) {
  // SQLite publishes a commit around this barrier, on the committing
  // connection's thread: what that thread gathered goes to the file before
  // readers can see it.
  if (const std::shared_ptr<WalGroup>& group = State(file).group) {
    group->FlushOnWritersThread();
  }
  RealMethods(file).xShmBarrier(Real(file));
}
int FileShmUnmap(sqlite3_file* file, int delete_flag) {
  return RealMethods(file).xShmUnmap(Real(file), delete_flag);
}
int FileFetch(sqlite3_file* file, sqlite3_int64 offset, int amount,
              void** out) {
  return RealMethods(file).xFetch(Real(file), offset, amount, out);
}
int FileUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return RealMethods(file).xUnfetch(Real(file), offset, page);
}

// One methods table per iVersion of the wrapped file's, so SQLite never
// calls a method the wrapped file lacks.
const sqlite3_io_methods* MethodsOfVersion(int version) {
  static const auto* tables = [] {
    auto* t = new sqlite3_io_methods[4];
    for (int v = 1; v <= 3; ++v) {
      t[v] = sqlite3_io_methods{
          v,
          FileClose,
          FileRead,
          FileWrite,
          FileTruncate,
          FileSync,
          FileSize,
          FileLock,
          FileUnlock,
          FileCheckReservedLock,
          FileControl,
          FileSectorSize,
          FileDeviceCharacteristics,
          v >= 2 ? FileShmMap : nullptr,
          v >= 2 ? FileShmLock : nullptr,
          v >= 2 ? FileShmBarrier : nullptr,
          v >= 2 ? FileShmUnmap : nullptr,
          v >= 3 ? FileFetch : nullptr,
          v >= 3 ? FileUnfetch : nullptr,
      };
    }
    return t;
  }();
  return &tables[std::clamp(version, 1, 3)];
}

sqlite3_vfs* Wrapped(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

std::string DatabaseOfWal(std::string_view wal_path) {
  if (wal_path.size() > kWalSuffix.size() &&
      wal_path.substr(wal_path.size() - kWalSuffix.size()) == kWalSuffix) {
    wal_path.remove_suffix(kWalSuffix.size());
  }
  return std::string(wal_path);
}

int VfsOpen(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file,
            int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(file);
  shim->base.pMethods = nullptr;
  shim->state = nullptr;
  sqlite3_file* real = Real(file);
  real->pMethods = nullptr;
  const int rc =
      Wrapped(vfs)->xOpen(Wrapped(vfs), name, real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (real->pMethods != nullptr) real->pMethods->xClose(real);
    return rc;
  }
  auto state = std::make_unique<FileState>();
  if (name != nullptr && (flags & SQLITE_OPEN_MAIN_DB) != 0) {
    state->group = Groups().Find(name);
  } else if (name != nullptr && (flags & SQLITE_OPEN_WAL) != 0) {
    state->group = Groups().Find(DatabaseOfWal(name));
    state->gathered = std::make_unique<GatheredWal>(real);
  }
  shim->state = state.release();
  shim->base.pMethods = MethodsOfVersion(real->pMethods->iVersion);
  return SQLITE_OK;
}

int VfsDelete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Wrapped(vfs)->xDelete(Wrapped(vfs), name, sync_dir);
}
int VfsAccess(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Wrapped(vfs)->xAccess(Wrapped(vfs), name, flags, out);
}
int VfsFullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return Wrapped(vfs)->xFullPathname(Wrapped(vfs), name, size, out);
}
void* VfsDlOpen(sqlite3_vfs* vfs, const char* name) {
  return Wrapped(vfs)->xDlOpen(Wrapped(vfs), name);
}
void VfsDlError(sqlite3_vfs* vfs, int size, char* out) {
  Wrapped(vfs)->xDlError(Wrapped(vfs), size, out);
}
void (*VfsDlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return Wrapped(vfs)->xDlSym(Wrapped(vfs), handle, symbol);
}
void VfsDlClose(sqlite3_vfs* vfs, void* handle) {
  Wrapped(vfs)->xDlClose(Wrapped(vfs), handle);
}
int VfsRandomness(sqlite3_vfs* vfs, int size, char* out) {
  return Wrapped(vfs)->xRandomness(Wrapped(vfs), size, out);
}
int VfsSleep(sqlite3_vfs* vfs, int micros) {
  return Wrapped(vfs)->xSleep(Wrapped(vfs), micros);
}
int VfsCurrentTime(sqlite3_vfs* vfs, double* out) {
  return Wrapped(vfs)->xCurrentTime(Wrapped(vfs), out);
}
int VfsGetLastError(sqlite3_vfs* vfs, int size, char* out) {
  return Wrapped(vfs)->xGetLastError(Wrapped(vfs), size, out);
}
int VfsCurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Wrapped(vfs)->xCurrentTimeInt64(Wrapped(vfs), out);
}

// Registers the VFS; returns its name, or null when there is nothing to wrap.
const char* Register() {
  sqlite3_vfs* wrapped = sqlite3_vfs_find(nullptr);
  if (wrapped == nullptr || wrapped->iVersion < 2) return nullptr;
  auto* vfs = new sqlite3_vfs{};
  vfs->iVersion = 2;
  vfs->szOsFile = static_cast<int>(sizeof(ShimFile)) + wrapped->szOsFile;
  vfs->mxPathname = wrapped->mxPathname;
  vfs->zName = kVfsName;
  vfs->pAppData = wrapped;
  vfs->xOpen = VfsOpen;
  vfs->xDelete = VfsDelete;
  vfs->xAccess = VfsAccess;
  vfs->xFullPathname = VfsFullPathname;
  vfs->xDlOpen = VfsDlOpen;
  vfs->xDlError = VfsDlError;
  vfs->xDlSym = VfsDlSym;
  vfs->xDlClose = VfsDlClose;
  vfs->xRandomness = VfsRandomness;
  vfs->xSleep = VfsSleep;
  vfs->xCurrentTime = VfsCurrentTime;
  vfs->xGetLastError = VfsGetLastError;
  vfs->xCurrentTimeInt64 = VfsCurrentTimeInt64;
  if (sqlite3_vfs_register(vfs, /*makeDflt=*/0) != SQLITE_OK) {
    delete vfs;
    return nullptr;
  }
  return kVfsName;
}

}  // namespace

absl::StatusOr<const char*> BatchingVfsName() {
  static const char* const name = Register();
  if (name == nullptr) {
    return absl::InternalError(
        "register SQLite VFS: SQLite has no default VFS to wrap");
  }
  return name;
}

BatchingVfsCounts GetBatchingVfsCounts() {
  return {wal_writes_received.load(std::memory_order_relaxed),
          wal_writes_issued.load(std::memory_order_relaxed)};
}

}  // namespace caregate::sqlite
