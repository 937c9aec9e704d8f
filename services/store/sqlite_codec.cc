#include "services/store/sqlite_codec.h"

#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace caregate::sqlite {
namespace {

constexpr int64_t kPast = std::numeric_limits<int64_t>::min();
constexpr int64_t kFuture = std::numeric_limits<int64_t>::max();

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

absl::Status DamagedColumn(std::string_view column, std::string_view what) {
  return absl::DataLossError(
      absl::StrCat("stored ", View(column), " is damaged: ", View(what)));
}

bool DecodeIntPiece(std::string_view piece, int* value) {
  return absl::SimpleAtoi(View(piece), value);
}

int64_t TimeToMicros(absl::Time t) {
  if (t == absl::InfinitePast()) return kPast;
  if (t == absl::InfiniteFuture()) return kFuture;
  return absl::ToUnixMicros(t);
}

absl::Time MicrosToTime(int64_t micros) {
  if (micros == kPast) return absl::InfinitePast();
  if (micros == kFuture) return absl::InfiniteFuture();
  return absl::FromUnixMicros(micros);
}

std::string EncodeInts(const std::vector<int>& values) {
  return absl::StrJoin(values, ",");
}

absl::StatusOr<std::vector<int>> DecodeInts(std::string_view column,
                                            std::string_view text) {
  std::vector<int> out;
  if (text.empty()) return out;
  for (absl::string_view piece : absl::StrSplit(View(text), ',')) {
    int value = 0;
    if (!absl::SimpleAtoi(piece, &value))
      return DamagedColumn(column, "bad number");
    out.push_back(value);
  }
  return out;
}

std::string EncodeIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) absl::StrAppend(&out, id.size(), ":", id);
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeIds(std::string_view column,
                                                   std::string_view text) {
  std::vector<std::string> out;
  absl::Status decoded = DecodeIdsInto(column, text, &out);
  if (!decoded.ok()) return decoded;
  return out;
}

absl::Status DecodeIdsInto(std::string_view column, std::string_view text,
                           std::vector<std::string>* out) {
  size_t n = 0;
  while (!text.empty()) {
    const size_t colon = text.find(':');
    uint64_t length = 0;
    if (colon == std::string_view::npos ||
        !absl::SimpleAtoi(View(text.substr(0, colon)), &length) ||
        length > text.size() - colon - 1) {
      return DamagedColumn(column, "bad id length");
    }
    if (n == out->size()) out->emplace_back();
    (*out)[n++].assign(text.substr(colon + 1, length));
    text.remove_prefix(colon + 1 + length);
  }
  out->resize(n);
  return absl::OkStatus();
}

std::string_view HashBytes(const Hash256& hash) {
  return std::string_view(reinterpret_cast<const char*>(hash.data()),
                          hash.size());
}

absl::StatusOr<Hash256> DecodeHash(std::string_view column,
                                   std::string_view blob) {
  Hash256 hash{};
  if (blob.size() != hash.size()) {
    return DamagedColumn(column, absl::StrCat(blob.size(), " bytes, not 32"));
  }
  std::memcpy(hash.data(), blob.data(), hash.size());
  return hash;
}

}  // namespace caregate::sqlite
