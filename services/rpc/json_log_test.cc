#include "services/rpc/json_log.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_split.h"
#include "caregate/v1/types.pb.h"
#include "gmock/gmock.h"
#include "grpc/grpc.h"
#include "grpc/support/log.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace caregate {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class JsonLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("t", sink));
    InstallJsonLogFormat();
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(JsonLogTest, PlainMessageIsEscapedIntoMsg) {
  spdlog::info("quote \" and newline \n here");
  const std::string line = out_.str();
  EXPECT_THAT(line, StartsWith("{\"time\":\""));
  EXPECT_THAT(line, HasSubstr("\"level\":\"info\",\"msg\":\"quote \\\" and "
                              "newline \\n here\"}"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
}

TEST_F(JsonLogTest, FinishedCallHasItsFields) {
  LogFinishedCall("/caregate.v1.InboxService/ListMessages", "core-pelvic-pt-inbox",
                  absl::StatusCode::kPermissionDenied, absl::Milliseconds(2));
  const std::string line = out_.str();
  EXPECT_THAT(line, HasSubstr("\"level\":\"warning\""));
  EXPECT_THAT(line, HasSubstr("\"rpc\":\"/caregate.v1.InboxService/ListMessages\""));
  EXPECT_THAT(line, HasSubstr("\"principal\":\"core-pelvic-pt-inbox\""));
  EXPECT_THAT(line, HasSubstr("\"status\":\"PERMISSION_DENIED\""));
  EXPECT_THAT(line, HasSubstr("\"duration_ms\":2.000}"));
}

TEST(JsonEscapeTest, ControlCharacters) {
  std::string out;
  AppendJsonEscaped(std::string("a\x01" "b\\", 4), &out);
  EXPECT_EQ(out, "a\\u0001b\\\\");
}

// Protobuf's own complaint about a request it cannot parse (an invalid UTF-8
// string) must come out as a JSON line, not "[libprotobuf ERROR ...]".
TEST_F(JsonLogTest, LibraryLogsBecomeJsonLines) {
  RouteLibraryLogsToSpdlog();
  grpc_init();  // gRPC logs nothing before it is initialized
  v1::Section section;
  const std::string wire = "\x1a\x02\xff\xfe";  // field 3 (body), 2 bad bytes
  EXPECT_FALSE(section.ParseFromString(wire));
  gpr_log(GPR_ERROR, "grpc says %s", "hello");
  grpc_shutdown();
  const std::string text = out_.str();
  EXPECT_THAT(text, HasSubstr("\"level\":\"error\",\"msg\":\"protobuf: "));
  EXPECT_THAT(text, HasSubstr("\"msg\":\"grpc: grpc says hello"));
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    EXPECT_THAT(std::string(line), StartsWith("{\"time\":\"")) << line;
  }
  EXPECT_EQ(text.find("[libprotobuf"), std::string::npos);
}

}  // namespace
}  // namespace caregate
