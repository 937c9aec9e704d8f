#include "services/rpc/request_parser.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/support/proto_buffer_reader.h"

namespace caregate {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points
// beyond U+10FFFF), the rule protobuf applies to proto3 strings.
bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t min, cp;
    if (b >= 0xc2 && b <= 0xdf) {
      len = 2, min = 0x80, cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3, min = 0x800, cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4, min = 0x10000, cp = b & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += len;
  }
  return true;
}

std::string Join(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  if (!out.empty()) out += ".";
  out += name;
  return out;
}

// Walks one message's wire bytes. Returns the path of the first problem, or
// std::nullopt. `wire_ok` is set false when the bytes stop being decodable
// at this level (the caller reports the message as a whole).
std::optional<std::string> Walk(const Descriptor& type, std::string_view wire,
                                const std::string& path, int depth,
                                bool* wire_ok) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(wire.data()),
                      static_cast<int>(wire.size()));
  absl::flat_hash_map<int, int> seen;  // field number -> occurrences so far
  while (true) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) {
      // A zero tag before the end is itself malformed.
      *wire_ok = in.CurrentPosition() == static_cast<int>(wire.size());
      return std::nullopt;
    }
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    const FieldDescriptor* field = type.FindFieldByNumber(number);
    const auto wire_type = WireFormatLite::GetTagWireType(tag);
    const bool length_delimited =
        wire_type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if (field == nullptr || !length_delimited ||
        (field->type() != FieldDescriptor::TYPE_STRING &&
         field->type() != FieldDescriptor::TYPE_MESSAGE)) {
      if (!WireFormatLite::SkipField(&in, tag)) {
        *wire_ok = false;
        return std::nullopt;
      }
      if (field != nullptr && field->is_repeated()) ++seen[number];
      continue;
    }
    std::string name = Join(path, field->name());
    if (field->is_repeated()) {
      absl::StrAppend(&name, "[", seen[number]++, "]");
    }
    uint32_t length = 0;
    std::string value;
    if (!in.ReadVarint32(&length) ||
        !in.ReadString(&value, static_cast<int>(length))) {
      *wire_ok = false;
      return std::nullopt;
    }
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (!IsValidUtf8(value)) return absl::StrCat(name, ": not valid UTF-8");
      continue;
    }
    if (depth >= 32) return absl::StrCat(name, ": nested too deeply");
    bool nested_ok = true;
    std::optional<std::string> problem =
        Walk(*field->message_type(), value, name, depth + 1, &nested_ok);
    if (problem.has_value()) return problem;
    if (!nested_ok) return absl::StrCat(name, ": malformed");
  }
}

}  // namespace

std::optional<std::string> FindUnparsableField(const Descriptor& type,
                                               std::string_view wire) {
  bool wire_ok = true;
  return Walk(type, wire, "", 0, &wire_ok);
}

absl::Status ParseRequest(const grpc::ByteBuffer& bytes,
                          google::protobuf::Message* message) {
  message->Clear();
  grpc::ByteBuffer copy(bytes);  // shares the slices; the reader consumes it
  {
    grpc::ProtoBufferReader reader(&copy);
    if (reader.status().ok() && message->ParseFromZeroCopyStream(&reader)) {
      return absl::OkStatus();
    }
  }
  message->Clear();
  std::vector<grpc::Slice> slices;
  std::string wire;
  if (bytes.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      wire.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  std::optional<std::string> field =
      FindUnparsableField(*message->GetDescriptor(), wire);
  if (field.has_value()) return absl::InvalidArgumentError(*field);
  return absl::InvalidArgumentError(absl::StrCat(
      "request: not a valid ", message->GetDescriptor()->full_name()));
}

}  // namespace caregate
