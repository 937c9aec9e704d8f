#include "services/store/postgres/pg_codec.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace caregate::pg {
namespace {

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status Damaged(std::string_view column, absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("stored ", View(column), " is damaged: ", what));
}

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

// Reads `bytes` big-endian bytes from the front of `in`, if there are.
bool TakeBigEndian(std::string_view& in, int bytes, uint64_t& value) {
  if (in.size() < static_cast<size_t>(bytes)) return false;
  value = 0;
  for (int i = 0; i < bytes; ++i) {
    value = (value << 8) | static_cast<uint8_t>(in[i]);
  }
  in.remove_prefix(bytes);
  return true;
}

bool TakeInt32(std::string_view& in, int32_t& value) {
  uint64_t raw = 0;
  if (!TakeBigEndian(in, 4, raw)) return false;
  value = static_cast<int32_t>(static_cast<uint32_t>(raw));
  return true;
}

// The array header (array_send); `elements` are the values, each already in
// its binary form.
std::string EncodeArray(uint32_t element_oid,
                        const std::vector<std::string>& elements) {
  std::string out;
  AppendBigEndian(out, elements.empty() ? 0 : 1, 4);  // dimensions
  AppendBigEndian(out, 0, 4);                         // no NULLs
  AppendBigEndian(out, element_oid, 4);
  if (elements.empty()) return out;
  AppendBigEndian(out, elements.size(), 4);
  AppendBigEndian(out, 1, 4);  // lower bound
  for (const std::string& e : elements) {
    AppendBigEndian(out, e.size(), 4);
    out += e;
  }
  return out;
}

// The elements of a one-dimensional array of `element_oid` without NULLs.
absl::StatusOr<std::vector<std::string_view>> DecodeArray(
    std::string_view column, std::string_view in, uint32_t element_oid) {
  int32_t dimensions = 0, flags = 0, oid = 0;
  if (!TakeInt32(in, dimensions) || !TakeInt32(in, flags) ||
      !TakeInt32(in, oid)) {
    return Damaged(column, "short array header");
  }
  if (static_cast<uint32_t>(oid) != element_oid) {
    return Damaged(column, absl::StrCat("array of type ", oid));
  }
  std::vector<std::string_view> elements;
  if (dimensions == 0) {
    if (!in.empty()) return Damaged(column, "bytes after an empty array");
    return elements;
  }
  int32_t count = 0, lower_bound = 0;
  if (dimensions != 1 || !TakeInt32(in, count) || !TakeInt32(in, lower_bound) ||
      count < 0) {
    return Damaged(column, "not a one-dimensional array");
  }
  for (int32_t i = 0; i < count; ++i) {
    int32_t length = 0;
    if (!TakeInt32(in, length)) return Damaged(column, "short array");
    if (length < 0) return Damaged(column, "NULL in array");
    if (in.size() < static_cast<size_t>(length)) {
      return Damaged(column, "short array element");
    }
    elements.push_back(in.substr(0, length));
    in.remove_prefix(length);
  }
  if (!in.empty()) return Damaged(column, "bytes after the array");
  return elements;
}

}  // namespace

std::string EncodeInt64(int64_t value) {
  std::string out;
  AppendBigEndian(out, static_cast<uint64_t>(value), 8);
  return out;
}

std::string EncodeInt32(int32_t value) {
  std::string out;
  AppendBigEndian(out, static_cast<uint32_t>(value), 4);
  return out;
}

std::string EncodeBool(bool value) { return std::string(1, value ? 1 : 0); }

std::string EncodeInt32Array(const std::vector<int>& values) {
  std::vector<std::string> elements;
  elements.reserve(values.size());
  for (int v : values) elements.push_back(EncodeInt32(v));
  return EncodeArray(kInt4Oid, elements);
}

std::string EncodeTextArray(const std::vector<std::string>& values) {
  return EncodeArray(kTextOid, values);
}

absl::StatusOr<int64_t> DecodeInt64(std::string_view column,
                                    std::string_view bytes) {
  uint64_t raw = 0;
  if (bytes.size() != 8 || !TakeBigEndian(bytes, 8, raw)) {
    return Damaged(column, absl::StrCat(bytes.size(), " bytes for an int8"));
  }
  return static_cast<int64_t>(raw);
}

absl::StatusOr<int32_t> DecodeInt32(std::string_view column,
                                    std::string_view bytes) {
  int32_t value = 0;
  if (bytes.size() != 4 || !TakeInt32(bytes, value)) {
    return Damaged(column, absl::StrCat(bytes.size(), " bytes for an int4"));
  }
  return value;
}

absl::StatusOr<bool> DecodeBool(std::string_view column,
                                std::string_view bytes) {
  if (bytes.size() != 1 || static_cast<uint8_t>(bytes[0]) > 1) {
    return Damaged(column, "not a bool");
  }
  return bytes[0] == 1;
}

absl::StatusOr<std::vector<int>> DecodeInt32Array(std::string_view column,
                                                  std::string_view bytes) {
  auto elements = DecodeArray(column, bytes, kInt4Oid);
  if (!elements.ok()) return elements.status();
  std::vector<int> out;
  out.reserve(elements->size());
  for (std::string_view e : *elements) {
    auto value = DecodeInt32(column, e);
    if (!value.ok()) return value.status();
    out.push_back(*value);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeTextArray(
    std::string_view column, std::string_view bytes) {
  auto elements = DecodeArray(column, bytes, kTextOid);
  if (!elements.ok()) return elements.status();
  return std::vector<std::string>(elements->begin(), elements->end());
}

}  // namespace caregate::pg
