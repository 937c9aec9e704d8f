#include "services/pki/annotated_config.h"

#include <set>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/pki/config_field_notes.h"
#include "services/pki/sample_config.h"

namespace caregate::pki {
namespace {

using ::caregate::config::v1::GatewayConfig;
using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::testing::HasSubstr;
using ::testing::StartsWith;

GatewayConfig RoundTrip(const std::string& text) {
  GatewayConfig parsed;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &parsed))
      << text;
  return parsed;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n');
}

TEST(AnnotatedConfigTest, SampleRoundTrips) {
  GatewayConfig config = SampleGatewayConfig(DevInitOptions{});
  std::string text = AnnotatedConfigText(config, "header");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      RoundTrip(text), config));
}

TEST(AnnotatedConfigTest, HeaderLinesAreComments) {
  std::string text =
      AnnotatedConfigText(GatewayConfig(), "first line\n\nthird line");
  EXPECT_THAT(text, StartsWith("# first line\n#\n# third line\n"));
}

TEST(AnnotatedConfigTest, EveryFieldIsPrecededByACommentTheFirstTime) {
  std::string text =
      AnnotatedConfigText(SampleGatewayConfig(DevInitOptions{}), "header");
  std::vector<std::string> lines = Lines(text);
  std::set<std::string> seen;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    line.remove_prefix(std::min(line.find_first_not_of(' '), line.size()));
    if (line.empty() || line[0] == '#' || line[0] == '"' || line[0] == '}') {
      continue;
    }
    std::string name(line.substr(0, line.find_first_of(": {")));
    if (!seen.insert(name).second) continue;
    EXPECT_THAT(lines[i - 1], HasSubstr("# ")) << "field " << name;
  }
  EXPECT_TRUE(seen.count("listen_address"));
  EXPECT_TRUE(seen.count("npi"));
  EXPECT_TRUE(seen.count("path"));
}

TEST(AnnotatedConfigTest, UnsetFieldsWithExamplesAreShownCommentedOut) {
  std::string text =
      AnnotatedConfigText(SampleGatewayConfig(DevInitOptions{}), "header");
  EXPECT_THAT(text, HasSubstr("\n# limits {\n#   max_section_body_bytes:"));
  EXPECT_THAT(text, HasSubstr("\n# shutdown_grace { seconds: 10 }\n"));
  EXPECT_THAT(text, HasSubstr("\n  # postgres { conninfo:"));
  EXPECT_THAT(text, HasSubstr("\n  # disabled: true\n"));
}

TEST(AnnotatedConfigTest, LinesFitIn80Columns) {
  std::string text =
      AnnotatedConfigText(SampleGatewayConfig(DevInitOptions{}), "header");
  for (const std::string& line : Lines(text)) {
    EXPECT_LE(line.size(), 80u) << line;
  }
}

TEST(AnnotatedConfigTest, AwkwardStringsRoundTrip) {
  GatewayConfig config;
  std::string notice = "Quotes \" and \\ backslashes, a\nnewline, a tab\t, ";
  for (int i = 0; i < 20; ++i) notice += "many words to wrap ";
  notice += "UTF-8 \xc3\xa9 and an apostrophe's end.";
  config.set_redisclosure_notice(notice);
  config.add_principals()->set_principal_id("x");
  config.add_principals()->set_principal_id("y");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      RoundTrip(AnnotatedConfigText(config, "h")), config));
}

void CollectMissingNotes(const Descriptor* message,
                         std::set<const Descriptor*>& visited,
                         std::vector<std::string>& missing) {
  if (message->file()->package() != "caregate.config.v1" ||
      !visited.insert(message).second) {
    return;
  }
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* field = message->field(i);
    if (FindConfigFieldNote(field) == nullptr) {
      missing.push_back(field->full_name());
    }
    if (field->message_type() != nullptr) {
      CollectMissingNotes(field->message_type(), visited, missing);
    }
  }
}

TEST(ConfigFieldNotesTest, EveryConfigFieldIsExplained) {
  std::set<const Descriptor*> visited;
  std::vector<std::string> missing;
  CollectMissingNotes(GatewayConfig::descriptor(), visited, missing);
  EXPECT_THAT(missing, ::testing::IsEmpty())
      << "add a note in services/pki/config_field_notes.cc";
}

}  // namespace
}  // namespace caregate::pki
