#include "services/ctl/output.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/absl_compat.h"

namespace caregate::ctl {
namespace {

// "CATEGORY_" for Category: the name of value 0 without "UNSPECIFIED".
std::string EnumPrefix(const google::protobuf::EnumDescriptor* type) {
  const google::protobuf::EnumValueDescriptor* zero =
      type->FindValueByNumber(0);
  if (zero == nullptr) return "";
  const std::string& name = zero->name();
  constexpr std::string_view kUnspecified = "UNSPECIFIED";
  if (!absl::EndsWith(name, AsAbsl(kUnspecified))) return "";
  return name.substr(0, name.size() - kUnspecified.size());
}

std::string AcceptedValues(const google::protobuf::EnumDescriptor* type) {
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() == 0) continue;
    names.push_back(ShortEnumName(type, type->value(i)->number()));
  }
  return absl::StrJoin(names, ", ");
}

std::string OneLine(std::string_view text) {
  return absl::StrReplaceAll(AsAbsl(text), {{"\n", " "}, {"\r", " "}});
}

}  // namespace

std::string ShortEnumName(const google::protobuf::EnumDescriptor* type,
                          int value) {
  const google::protobuf::EnumValueDescriptor* v =
      type->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  const std::string prefix = EnumPrefix(type);
  if (!prefix.empty() && absl::StartsWith(v->name(), prefix)) {
    return v->name().substr(prefix.size());
  }
  return v->name();
}

absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor* type,
                                  std::string_view text,
                                  std::string_view flag) {
  std::string upper = absl::AsciiStrToUpper(AsAbsl(text));
  absl::StripAsciiWhitespace(&upper);
  const std::string prefix = EnumPrefix(type);
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByName(upper);
  if (v == nullptr) v = type->FindValueByName(prefix + upper);
  if (v == nullptr || v->number() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", AsAbsl(flag), ": unknown value \"", AsAbsl(text),
                     "\"; one of ", AcceptedValues(type)));
  }
  return v->number();
}

std::string OrDash(std::string_view text) {
  return text.empty() ? "-" : std::string(text);
}

namespace {

// The length of the valid UTF-8 sequence at `p` (1..4), or 0 when invalid
// (overlong, surrogate, beyond U+10FFFF, truncated).
size_t Utf8SequenceLength(const unsigned char* p, size_t left) {
  const unsigned char b = p[0];
  size_t n;
  uint32_t min;
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) {
    n = 2, min = 0x80;
  } else if (b >= 0xe0 && b <= 0xef) {
    n = 3, min = 0x800;
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (left < n) return 0;
  uint32_t cp = b & (0xff >> (n + 1));
  for (size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

}  // namespace

std::string Printable(std::string_view text, bool multiline) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char b = p[i];
    const size_t n = Utf8SequenceLength(p + i, text.size() - i);
    if (n == 0) {
      absl::StrAppend(&out, "\\x", absl::Hex(b, absl::kZeroPad2));
      ++i;
    } else if (n == 1 && (b < 0x20 || b == 0x7f)) {
      if (multiline && (b == '\n' || b == '\t')) {
        out.push_back(static_cast<char>(b));
      } else {
        absl::StrAppend(&out, "\\x", absl::Hex(b, absl::kZeroPad2));
      }
      ++i;
    } else if (n == 2 && b == 0xc2 && p[i + 1] <= 0x9f) {
      absl::StrAppend(&out, "\\u{", absl::Hex(p[i + 1], absl::kZeroPad2),
                      "}");
      i += 2;
    } else {
      out.append(text.data() + i, n);
      i += n;
    }
  }
  return out;
}

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::AddRow(std::vector<std::string> row) {
  row.resize(header_.size());
  for (std::string& cell : row) cell = Printable(cell);
  rows_.push_back(std::move(row));
}

void Table::Print(std::ostream& os) const {
  std::vector<size_t> width(header_.size(), 0);
  auto measure = [&width](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    os << line << "\n";
  };
  print(header_);
  for (const auto& row : rows_) print(row);
}

void PrintFields(const std::vector<std::pair<std::string, std::string>>& fields,
                 std::ostream& os) {
  size_t width = 0;
  for (const auto& [key, value] : fields) width = std::max(width, key.size());
  for (const auto& [key, value] : fields) {
    os << key << std::string(width - key.size() + 2, ' ') << Printable(value)
       << "\n";
  }
}

void PrintJsonLine(const google::protobuf::Message& message, std::ostream& os) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options)
           .ok()) {
    json = "{}";
  }
  os << json << "\n";
}

int UsageError(std::string_view program, std::string_view message,
               CommandIo io) {
  io.err << program << ": " << OneLine(message) << "\n";
  return kExitUsage;
}

int Failed(std::string_view program, std::string_view message, CommandIo io) {
  io.err << program << ": " << OneLine(message) << "\n";
  return kExitFailed;
}

int StatusError(std::string_view program, const absl::Status& status,
                CommandIo io) {
  std::string_view message(status.message().data(), status.message().size());
  return status.code() == absl::StatusCode::kInvalidArgument
             ? UsageError(program, message, io)
             : Failed(program, message, io);
}

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return absl::FailedPreconditionError(absl::StrCat("cannot write ", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace caregate::ctl
