#include "services/pki/annotated_config.h"

#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "services/pki/config_field_notes.h"

namespace caregate::pki {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

constexpr size_t kLineWidth = 80;
constexpr size_t kIndentWidth = 2;

// Splits `text` into pieces of at most `width` characters at spaces; each
// piece but the last keeps its trailing space.
std::vector<std::string> SplitAtSpaces(std::string_view text, size_t width) {
  std::vector<std::string> pieces;
  std::string current;
  for (absl::string_view word :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ' ')) {
    if (!current.empty() && current.size() + word.size() > width) {
      pieces.push_back(current);
      current.clear();
    }
    current.append(word.data(), word.size());
    current.push_back(' ');
  }
  current.pop_back();
  pieces.push_back(current);
  return pieces;
}

// `text` as a text-format string literal body: quotes, backslashes and control
// characters escaped; printable ASCII and UTF-8 kept as they are.
std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out.append(absl::CEscape(std::string(1, c)));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// `text` without trailing spaces.
std::string_view TrimTrailingSpaces(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

class AnnotatedPrinter {
 public:
  std::string Print(const Message& config, std::string_view header) {
    for (absl::string_view line : absl::StrSplit(
             absl::string_view(header.data(), header.size()), '\n')) {
      out_.append(line.empty() ? "#" : "# ");
      out_.append(line.data(), line.size());
      out_.push_back('\n');
    }
    PrintFields(config, 0);
    return std::move(out_);
  }

 private:
  void PrintFields(const Message& message, int depth) {
    const Reflection* reflection = message.GetReflection();
    const auto* descriptor = message.GetDescriptor();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      bool set = field->is_repeated()
                     ? reflection->FieldSize(message, field) > 0
                     : reflection->HasField(message, field);
      const FieldNote* note = FindConfigFieldNote(field);
      // A field is described where it first appears, set or as an example.
      bool first = !described_.contains(field);
      if (!set && (!first || note == nullptr || note->unset_example.empty())) {
        continue;
      }
      described_.insert(field);
      if (depth == 0) out_.push_back('\n');
      if (first) {
        PrintComment(note != nullptr ? note->comment : field->name(), depth);
      }
      if (!set) {
        PrintCommented(note->unset_example, depth);
      } else if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
          PrintValue(message, field, j, depth);
        }
      } else {
        PrintValue(message, field, -1, depth);
      }
    }
  }

  void PrintValue(const Message& message, const FieldDescriptor* field,
                  int index, int depth) {
    const Reflection* reflection = message.GetReflection();
    std::string indent(depth * kIndentWidth, ' ');
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const Message& sub =
          index < 0 ? reflection->GetMessage(message, field)
                    : reflection->GetRepeatedMessage(message, field, index);
      out_.append(indent + field->name() + " {\n");
      PrintFields(sub, depth + 1);
      out_.append(indent + "}\n");
      return;
    }
    if (field->type() != FieldDescriptor::TYPE_STRING) {
      std::string value;
      value_printer_.PrintFieldValueToString(message, field, index, &value);
      out_.append(indent + field->name() + ": " + value + "\n");
      return;
    }
    std::string raw =
        index < 0 ? reflection->GetString(message, field)
                  : reflection->GetRepeatedString(message, field, index);
    std::string line = indent + field->name() + ": \"" + Escape(raw) + "\"";
    if (line.size() <= kLineWidth) {
      out_.append(line + "\n");
      return;
    }
    // A long string: adjacent quoted pieces, one per line.
    out_.append(indent + field->name() + ":\n");
    std::string piece_indent = indent + std::string(kIndentWidth, ' ');
    for (const std::string& piece :
         SplitAtSpaces(raw, kLineWidth - piece_indent.size() - 4)) {
      out_.append(piece_indent + "\"" + Escape(piece) + "\"\n");
    }
  }

  void PrintComment(std::string_view comment, int depth) {
    std::string prefix = std::string(depth * kIndentWidth, ' ') + "# ";
    for (absl::string_view line : absl::StrSplit(
             absl::string_view(comment.data(), comment.size()), '\n')) {
      for (const std::string& piece :
           SplitAtSpaces(std::string_view(line.data(), line.size()),
                         kLineWidth - prefix.size())) {
        out_.append(prefix);
        out_.append(TrimTrailingSpaces(piece));
        out_.push_back('\n');
      }
    }
  }

  void PrintCommented(std::string_view text, int depth) {
    std::string prefix = std::string(depth * kIndentWidth, ' ') + "# ";
    for (absl::string_view line :
         absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
      out_.append(prefix);
      out_.append(line.data(), line.size());
      out_.push_back('\n');
    }
  }

  google::protobuf::TextFormat::Printer value_printer_;
  std::set<const FieldDescriptor*> described_;
  std::string out_;
};

}  // namespace

std::string AnnotatedConfigText(const Message& config,
                                std::string_view header) {
  return AnnotatedPrinter().Print(config, header);
}

}  // namespace caregate::pki
