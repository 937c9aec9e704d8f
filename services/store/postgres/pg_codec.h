// Binary wire values of the PostgreSQL types the PostgreSQL Store uses
// (libpq's format 1, both for parameters and results): int4 and int8
// big-endian, bool one byte, text and bytea their raw bytes, and
// one-dimensional int4[] / text[] arrays without NULL elements (an empty
// array has no dimension). Type OIDs are those of pg_type.dat.
//
// Pure functions, thread-safe. Decoders return DATA_LOSS for bytes the
// server cannot have sent for that type, naming the column, never its
// content.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_CODEC_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace caregate::pg {

inline constexpr uint32_t kBoolOid = 16;
inline constexpr uint32_t kByteaOid = 17;
inline constexpr uint32_t kInt8Oid = 20;
inline constexpr uint32_t kInt4Oid = 23;
inline constexpr uint32_t kTextOid = 25;
inline constexpr uint32_t kInt4ArrayOid = 1007;
inline constexpr uint32_t kTextArrayOid = 1009;

std::string EncodeInt64(int64_t value);
std::string EncodeInt32(int32_t value);
std::string EncodeBool(bool value);
std::string EncodeInt32Array(const std::vector<int>& values);
std::string EncodeTextArray(const std::vector<std::string>& values);

absl::StatusOr<int64_t> DecodeInt64(std::string_view column,
                                    std::string_view bytes);
absl::StatusOr<int32_t> DecodeInt32(std::string_view column,
                                    std::string_view bytes);
absl::StatusOr<bool> DecodeBool(std::string_view column,
                                std::string_view bytes);
absl::StatusOr<std::vector<int>> DecodeInt32Array(std::string_view column,
                                                  std::string_view bytes);
absl::StatusOr<std::vector<std::string>> DecodeTextArray(
    std::string_view column, std::string_view bytes);

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_CODEC_H_
