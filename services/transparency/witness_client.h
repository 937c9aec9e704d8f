// WitnessClient: a log's side of C2SP tlog-witness, over HTTP(S).
//
// AddCheckpoint() POSTs <url>/add-checkpoint and returns the witness's
// cosignature after verifying it with the witness's verifier key.
// LatestCheckpoint() reads what the witness holds for an origin
// (GET <url>/<hex SHA-256(origin)>/checkpoint) without asking it to sign
// anything, e.g. for a log to compare its own state with at start.
//
// Thread-safe: calls are serialized on one connection (kept alive between
// calls). Each call is bounded by the timeout (connect, send, receive) and
// replies are limited to kMaxWitnessReplyBytes.
//
// Errors (see witness_protocol.h for the HTTP mapping):
//   FAILED_PRECONDITION  409: the witness holds another size for this log;
//                        WitnessSizeOf(status) gives it;
//   DATA_LOSS            422: inconsistent with the checkpoint it holds;
//   NOT_FOUND            404: the witness does not know the log;
//   PERMISSION_DENIED    403: it found no valid log signature;
//   INVALID_ARGUMENT     400, or a checkpoint note this side cannot parse;
//   UNAUTHENTICATED      200 without a valid cosignature by the witness key;
//   UNAVAILABLE          no connection, timeout, 5xx, an oversized or
//                        malformed reply: retry later.
// Every message names the witness (its key name).
#ifndef CAREGATE_SERVICES_TRANSPARENCY_WITNESS_CLIENT_H_
#define CAREGATE_SERVICES_TRANSPARENCY_WITNESS_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/merkle.h"
#include "services/transparency/note_keys.h"

namespace httplib {
class Client;
}

namespace caregate::tlog {

inline constexpr size_t kMaxWitnessReplyBytes = 64 * 1024;

struct WitnessClientOptions {
  // Bounds connecting, sending and receiving, each.
  absl::Duration timeout = absl::Seconds(5);
  // For https URLs: the CA certificates (PEM file) that verify the witness's
  // certificate; empty uses the system's default CA store.
  std::string ca_cert_file;
};

// A verified cosignature from the witness.
struct WitnessCosignature {
  NoteSignature signature;
  int64_t timestamp = 0;  // POSIX seconds it signed
  std::string line;       // the signature line, to append to the note
};

// What the witness holds for an origin.
struct WitnessedCheckpoint {
  std::string note;  // the checkpoint with the signatures the witness serves
  Checkpoint checkpoint;
  WitnessCosignature cosignature;
};

class WitnessClient {
 public:
  // `url` is "http://host:port" or "https://host[:port]", optionally followed
  // by a path prefix ("/witness"); `witness_key` is the witness's
  // cosignature/v1 (type 0x04) verifier key. INVALID_ARGUMENT for a bad URL
  // or key.
  static absl::StatusOr<std::unique_ptr<WitnessClient>> Create(
      std::string_view url, std::string_view witness_key,
      const WitnessClientOptions& options = {});
  ~WitnessClient();

  // Asks the witness to cosign `checkpoint_note` (a signed checkpoint),
  // proving consistency from `old_size`, the size it last cosigned for this
  // log (0 if never), with `proof`.
  absl::StatusOr<WitnessCosignature> AddCheckpoint(
      int64_t old_size, absl::Span<const Hash256> proof,
      std::string_view checkpoint_note);

  // The latest checkpoint the witness cosigned for `origin`, with its
  // cosignature verified; nullopt when it holds none (404).
  absl::StatusOr<std::optional<WitnessedCheckpoint>> LatestCheckpoint(
      std::string_view origin);

  // The witness's key name, for messages.
  const std::string& name() const { return verifier_->name(); }

 private:
  WitnessClient(std::unique_ptr<NoteVerifier> verifier,
                std::unique_ptr<httplib::Client> http, std::string prefix);

  // Sends `method` to prefix + path; the reply's status and body (bounded).
  absl::StatusOr<std::pair<int, std::string>> Send(std::string_view method,
                                                   std::string_view path,
                                                   std::string body);
  // Verifies the witness's cosignature among `lines` over `text`.
  absl::StatusOr<WitnessCosignature> CheckCosignature(
      const std::string& text, std::string_view lines) const;
  absl::Status Named(const absl::Status& status) const;

  const std::unique_ptr<NoteVerifier> verifier_;
  const std::string prefix_;
  absl::Mutex mu_;
  std::unique_ptr<httplib::Client> http_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_WITNESS_CLIENT_H_
