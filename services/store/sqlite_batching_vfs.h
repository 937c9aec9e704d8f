// A SQLite VFS that hands each commit's WAL frames to the kernel in a few
// write() calls of up to 64 KiB instead of two per page.
//
// SQLite writes a WAL frame as two write() calls, its 24-byte header and then
// the page, and a send's commit is some 240 frames: under load those calls,
// not the bytes, were most of the writer thread's kernel time. This VFS wraps
// the default one ("unix"). A WAL file that SQLite writes gathers writes that
// continue one another in memory, and issues them in 64 KiB pieces (the unix
// VFS writes less than 128 KiB per call):
// - when the commit frame is complete (its header, the one frame header
//   whose "database size after commit" field is not zero, and its page).
//   This is before SQLite makes the commit visible to readers, and an error
//   of that write fails the COMMIT as a failed frame write always did;
// - in xShmBarrier on the database file, as a second guard: SQLite publishes
//   a commit by writing the wal-index header around that barrier, on the
//   thread that wrote the frames (a barrier on another thread issues
//   nothing, so SQLite's own file object stays on its connection's thread);
// - before the same handle reads a gathered range, syncs, truncates or sizes
//   the file, answers a file control, or closes;
// - when a write does not continue the gathered bytes, or they would pass
//   4 MiB.
// A reader, in this process or another, therefore never finds a committed
// frame missing from the file. A killed process loses at most the frames of
// the transaction it was writing, which were never committed; the durability
// of commits (synchronous, the Store's Sync()) is unchanged.
//
// Every other file (the database, journals, temporary files) and a WAL that
// is only read pass straight through.
//
// Thread-safety: the VFS is registered once, on first use. A WAL handle's
// gathered bytes have their own mutex, because a barrier on another
// connection (another thread) looks at them.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_BATCHING_VFS_H_
#define CAREGATE_SERVICES_STORE_SQLITE_BATCHING_VFS_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace caregate::sqlite {

// Registers the VFS with SQLite (the first call; not as the default) and
// returns its name, to pass to sqlite3_open_v2. Fails when SQLite has no
// default VFS to wrap.
absl::StatusOr<const char*> BatchingVfsName();

// Process-wide counts of the WAL writes SQLite made through the VFS and of
// the write() calls the VFS issued for them; for tests.
struct BatchingVfsCounts {
  int64_t wal_writes_received = 0;
  int64_t wal_writes_issued = 0;
};
BatchingVfsCounts GetBatchingVfsCounts();

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_BATCHING_VFS_H_
