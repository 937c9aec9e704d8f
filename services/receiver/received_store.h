// Where caregate-receiver keeps what it received: one directory with, per
// message, <message_id>.bundle.json (its FHIR R4 Bundle) and
// <message_id>.message.json (the caregate.v1.Message, protobuf JSON
// mapping). Each message is stored exactly once, however often it arrives.
//
// Durability: each file is written to a temporary file in the directory,
// fsync'd, renamed into place, and the directory fsync'd. The message file
// is written last and is the mark of a stored message: on Open, the ids of
// the *.message.json files are the messages already stored (their mtime the
// time they were received), so deduplication survives restarts, and a crash
// between the two files only means the next delivery writes both again.
// Temporary files a crash left behind are removed on Open.
//
// Thread-safe. Two deliveries of one message racing each other are
// serialized: the second waits for the first and reports a duplicate.
#ifndef CAREGATE_SERVICES_RECEIVER_RECEIVED_STORE_H_
#define CAREGATE_SERVICES_RECEIVER_RECEIVED_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace caregate::care_receiver {

class ReceivedStore {
 public:
  // Opens `dir`, creating it (0700) when missing. Errors name the path:
  // NOT_FOUND, PERMISSION_DENIED or INTERNAL as the file system says.
  static absl::StatusOr<std::unique_ptr<ReceivedStore>> Open(
      const std::string& dir);

  struct Stored {
    // False the first time, true for every later delivery.
    bool duplicate = false;
    // When the message was first stored.
    absl::Time received_at;
  };
  // Stores the message unless it is stored already. `message_id` must be a
  // safe file name (the caller checks it); INVALID_ARGUMENT otherwise. File
  // system errors: RESOURCE_EXHAUSTED (disk full) or INTERNAL, naming the
  // file; nothing is marked stored then.
  absl::StatusOr<Stored> StoreOnce(std::string_view message_id,
                                   std::string_view message_json,
                                   std::string_view bundle_json);

  // How many messages are stored.
  size_t size() const;
  const std::string& dir() const { return dir_; }

  // The two file names of a message.
  static std::string MessageFileName(std::string_view message_id);
  static std::string BundleFileName(std::string_view message_id);

 private:
  explicit ReceivedStore(std::string dir) : dir_(std::move(dir)) {}
  absl::Status Load();
  absl::Status WriteDurably(const std::string& name, std::string_view contents);

  const std::string dir_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> stored_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> writing_ ABSL_GUARDED_BY(mu_);
};

// True for a message id that is safe as a file name: 1..256 characters of
// [A-Za-z0-9._:-], starting with a letter or digit.
bool IsSafeMessageId(std::string_view message_id);

}  // namespace caregate::care_receiver

#endif  // CAREGATE_SERVICES_RECEIVER_RECEIVED_STORE_H_
