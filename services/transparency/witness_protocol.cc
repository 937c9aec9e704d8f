#include "services/transparency/witness_protocol.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/crypto/encoding.h"
#include "services/crypto/sha256.h"
#include "services/transparency/checkpoint.h"

namespace caregate::tlog {
namespace {

constexpr std::string_view kWitnessSizePayload =
    "type.caregate/tlog.WitnessSize";
constexpr size_t kMaxReplyExcerpt = 200;

// The next "\n"-terminated line of `*rest` (without the "\n"), consuming it;
// nullopt when there is no complete line.
std::optional<std::string_view> NextLine(std::string_view* rest) {
  const size_t end = rest->find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view line = rest->substr(0, end);
  rest->remove_prefix(end + 1);
  return line;
}

// A short printable excerpt of an untrusted reply body for messages.
std::string Excerpt(std::string_view body) {
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) {
    body.remove_suffix(1);
  }
  std::string out(body.substr(0, kMaxReplyExcerpt));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> FormatAddCheckpointRequest(
    const AddCheckpointRequest& request) {
  if (request.old_size < 0 || request.old_size > kMaxTreeSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("old size ", request.old_size, " is out of range"));
  }
  if (request.proof.size() > kMaxConsistencyProofLines) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency proof has ", request.proof.size(),
                     " hashes, at most 63 may be sent"));
  }
  std::string body = absl::StrCat("old ", request.old_size, "\n");
  for (const Hash256& hash : request.proof) {
    absl::StrAppend(&body, Base64Encode(HashBytes(hash)), "\n");
  }
  absl::StrAppend(&body, "\n", request.checkpoint_note);
  return body;
}

absl::StatusOr<AddCheckpointRequest> ParseAddCheckpointRequest(
    std::string_view body) {
  AddCheckpointRequest request;
  std::optional<std::string_view> line = NextLine(&body);
  constexpr std::string_view kOld = "old ";
  if (!line.has_value() || line->substr(0, kOld.size()) != kOld) {
    return absl::InvalidArgumentError(
        "request does not start with an \"old <size>\" line");
  }
  std::optional<int64_t> old_size = ParseTreeSize(line->substr(kOld.size()));
  if (!old_size.has_value()) {
    return absl::InvalidArgumentError(
        "old size is not a decimal without sign or leading zeros");
  }
  request.old_size = *old_size;
  while (true) {
    line = NextLine(&body);
    if (!line.has_value()) {
      return absl::InvalidArgumentError(
          "request has no blank line before the checkpoint");
    }
    if (line->empty()) break;
    if (request.proof.size() == kMaxConsistencyProofLines) {
      return absl::InvalidArgumentError("more than 63 consistency proof lines");
    }
    std::optional<std::string> hash = Base64Decode(*line);
    if (!hash.has_value() || hash->size() != 32) {
      return absl::InvalidArgumentError(
          absl::StrCat("consistency proof line ", request.proof.size() + 1,
                       " is not the base64 of 32 bytes"));
    }
    CG_ASSIGN_OR_RETURN(Hash256 parsed, HashFromBytes(*hash, "proof hash"));
    request.proof.push_back(parsed);
  }
  if (body.empty()) {
    return absl::InvalidArgumentError("request has no checkpoint");
  }
  request.checkpoint_note = std::string(body);
  return request;
}

std::string FormatTreeSizeBody(int64_t size) {
  return absl::StrCat(size, "\n");
}

std::optional<int64_t> ParseTreeSizeBody(std::string_view body) {
  if (body.empty() || body.back() != '\n') return std::nullopt;
  body.remove_suffix(1);
  return ParseTreeSize(body);
}

absl::Status WitnessConflictError(int64_t witness_size,
                                  std::string_view message) {
  absl::Status status = absl::FailedPreconditionError(AsAbsl(message));
  status.SetPayload(AsAbsl(kWitnessSizePayload),
                    absl::Cord(absl::StrCat(witness_size)));
  return status;
}

std::optional<int64_t> WitnessSizeOf(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kFailedPrecondition) {
    return std::nullopt;
  }
  absl::optional<absl::Cord> payload =
      status.GetPayload(AsAbsl(kWitnessSizePayload));
  if (!payload.has_value()) return std::nullopt;
  return ParseTreeSize(std::string(*payload));
}

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kDataLoss:
      return 422;
    default:
      return 500;
  }
}

absl::Status StatusForHttpReply(int http_status, std::string_view body) {
  const std::string detail = Excerpt(body);
  const auto message = [&](std::string_view what) {
    return absl::StrCat(AsAbsl(what), " (HTTP ", http_status,
                        detail.empty() ? "" : ": ", detail, ")");
  };
  switch (http_status) {
    case 400:
      return absl::InvalidArgumentError(message("witness refused the request"));
    case 403:
      return absl::PermissionDeniedError(
          message("witness found no valid signature by a log key it trusts"));
    case 404:
      return absl::NotFoundError(message("witness does not know the log"));
    case 409: {
      std::optional<int64_t> size = ParseTreeSizeBody(body);
      if (!size.has_value()) {
        return absl::UnavailableError(
            message("witness sent a conflict without a valid size"));
      }
      return WitnessConflictError(
          *size, absl::StrCat("witness holds a checkpoint of size ", *size,
                              " for this log"));
    }
    case 422:
      return absl::DataLossError(message(
          "witness found the checkpoint inconsistent with the one it holds"));
    default:
      return absl::UnavailableError(message("witness unavailable"));
  }
}

std::string CheckpointPath(std::string_view origin) {
  return absl::StrCat("/", Sha256Hex(origin), "/checkpoint");
}

}  // namespace caregate::tlog
