// Encodings of C++ values as SQLite column values, shared by the SQLite
// Store's row readers and writers. Pure functions, thread-safe.
//
// - Times are int64 Unix microseconds (truncated toward the past);
//   absl::InfinitePast() and absl::InfiniteFuture() map to INT64_MIN and
//   INT64_MAX and back.
// - Repeated enums are their decimal numbers joined by ',' ("" when empty),
//   e.g. "3,5".
// - Id lists are length-prefixed: each id as "<decimal byte length>:<bytes>",
//   concatenated ("" when empty), e.g. "3:c-17:c-00042". Any byte may appear
//   in an id, empty ids included, so the encoding never depends on what ids
//   look like.
// - Hashes are 32-byte BLOBs.
//
// Decoders return DATA_LOSS for a value that cannot have been written by the
// encoder (the column was damaged), naming the column, never its content.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_CODEC_H_
#define CAREGATE_SERVICES_STORE_SQLITE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/audit/audit_event.h"

namespace caregate::sqlite {

int64_t TimeToMicros(absl::Time t);
absl::Time MicrosToTime(int64_t micros);

std::string EncodeInts(const std::vector<int>& values);
absl::StatusOr<std::vector<int>> DecodeInts(std::string_view column,
                                            std::string_view text);

template <typename Enum>
std::string EncodeEnums(const std::vector<Enum>& values) {
  return EncodeInts(std::vector<int>(values.begin(), values.end()));
}

// One decimal number of an encoded int list; false when `piece` is not one.
bool DecodeIntPiece(std::string_view piece, int* value);
// DATA_LOSS "stored <column> is damaged: <what>".
absl::Status DamagedColumn(std::string_view column, std::string_view what);

// Decodes into `*out`, replacing its contents but keeping its capacity (for
// readers that reuse one record per row). On error `*out` is unspecified.
template <typename Enum>
absl::Status DecodeEnumsInto(std::string_view column, std::string_view text,
                             std::vector<Enum>* out) {
  out->clear();
  while (!text.empty()) {
    const size_t comma = text.find(',');
    int value = 0;
    if (!DecodeIntPiece(text.substr(0, comma), &value)) {
      return DamagedColumn(column, "bad number");
    }
    out->push_back(static_cast<Enum>(value));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) {  // a trailing ',' ends in an empty number
      return DamagedColumn(column, "bad number");
    }
  }
  return absl::OkStatus();
}

template <typename Enum>
absl::StatusOr<std::vector<Enum>> DecodeEnums(std::string_view column,
                                              std::string_view text) {
  std::vector<Enum> out;
  absl::Status decoded = DecodeEnumsInto(column, text, &out);
  if (!decoded.ok()) return decoded;
  return out;
}

std::string EncodeIds(const std::vector<std::string>& ids);
absl::StatusOr<std::vector<std::string>> DecodeIds(std::string_view column,
                                                   std::string_view text);
// As DecodeIds, into `*out`, reusing its strings' capacity.
absl::Status DecodeIdsInto(std::string_view column, std::string_view text,
                           std::vector<std::string>* out);

std::string_view HashBytes(const Hash256& hash);
absl::StatusOr<Hash256> DecodeHash(std::string_view column,
                                   std::string_view blob);

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_CODEC_H_
