// The C2SP tlog-witness add-checkpoint exchange, both sides, without HTTP.
//
// Request body (POST <prefix>/add-checkpoint):
//   "old <size>\n"                       the size the witness last cosigned
//   "<base64 proof hash>\n" x 0..63      consistency proof old -> new
//   "\n"
//   <checkpoint as a signed note>
// Responses:
//   200  one or more cosignature lines ("— <name> <base64>\n")
//   400  malformed request, or old size > checkpoint size
//   403  no valid signature by a trusted key for the origin
//   404  unknown origin
//   409  old size is not the size the witness holds; body "<size>\n",
//        Content-Type text/x.tlog.size
//   422  the proof does not verify, the same size with another root, a
//        non-empty proof from size 0, or a size-0 checkpoint whose root is
//        not the empty tree's
//
// Both sides express these outcomes as absl::Status (see HttpStatusFor /
// StatusForHttpReply), so the witness answers and a client reports them the
// same way:
//   400 INVALID_ARGUMENT, 403 PERMISSION_DENIED, 404 NOT_FOUND,
//   409 FAILED_PRECONDITION carrying the witness's size (WitnessSizeOf),
//   422 DATA_LOSS, anything else UNAVAILABLE (retry later).
//
// Free functions; thread-safe.
#ifndef CAREGATE_SERVICES_TRANSPARENCY_WITNESS_PROTOCOL_H_
#define CAREGATE_SERVICES_TRANSPARENCY_WITNESS_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/transparency/merkle.h"

namespace caregate::tlog {

inline constexpr int kMaxConsistencyProofLines = 63;
inline constexpr std::string_view kTreeSizeContentType = "text/x.tlog.size";

struct AddCheckpointRequest {
  int64_t old_size = 0;
  std::vector<Hash256> proof;
  std::string checkpoint_note;  // the signed checkpoint, as sent
};

// The request body. INVALID_ARGUMENT for a negative old size or more than
// kMaxConsistencyProofLines hashes.
absl::StatusOr<std::string> FormatAddCheckpointRequest(
    const AddCheckpointRequest& request);
// Parses a request body strictly (size encoding, base64 of exactly 32 bytes
// per line, at most 63 lines, the blank line). The checkpoint note is not
// parsed here: ParseSignedNote and ParseCheckpoint do that.
absl::StatusOr<AddCheckpointRequest> ParseAddCheckpointRequest(
    std::string_view body);

// The 409 body: "<size>\n".
std::string FormatTreeSizeBody(int64_t size);
std::optional<int64_t> ParseTreeSizeBody(std::string_view body);

// FAILED_PRECONDITION "<message>" carrying `witness_size`.
absl::Status WitnessConflictError(int64_t witness_size,
                                  std::string_view message);
// The size a WitnessConflictError carries; nullopt for any other status.
std::optional<int64_t> WitnessSizeOf(const absl::Status& status);

// The HTTP status a witness answers `status` with (200 for OK, 500 for codes
// outside the table above).
int HttpStatusFor(const absl::Status& status);
// What a client makes of a non-200 reply: the table above, with the reply
// body (trimmed, at most 200 bytes, control characters replaced) in the
// message; a 409 whose body is not a valid size is UNAVAILABLE.
absl::Status StatusForHttpReply(int http_status, std::string_view body);

// The monitoring path of an origin: "/<lowercase hex
// SHA-256(origin)>/checkpoint".
std::string CheckpointPath(std::string_view origin);

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_WITNESS_PROTOCOL_H_
