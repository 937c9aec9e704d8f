#include "services/rpc/request_parser.h"

#include <string>

#include "caregate/v1/disclosure_service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

// The serialized request with every occurrence of `from` replaced by `to`
// (same length), so the wire format stays intact around it.
std::string Swapped(const google::protobuf::Message& message,
                    const std::string& from, const std::string& to) {
  std::string wire = message.SerializeAsString();
  for (size_t at = wire.find(from); at != std::string::npos;
       at = wire.find(from, at + to.size())) {
    wire.replace(at, from.size(), to);
  }
  return wire;
}

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

v1::SendDisclosureRequest Request() {
  v1::SendDisclosureRequest r;
  r.set_request_id("req-1");
  v1::Disclosure* d = r.mutable_disclosure();
  d->set_patient_id("p-1001");
  d->add_sections()->set_body("first section");
  d->add_sections()->set_body("caf\xc3\xa9 au lait");
  d->add_sections()->set_title("third");
  return r;
}

TEST(RequestParserTest, ParsesAValidRequest) {
  v1::SendDisclosureRequest parsed;
  CG_ASSERT_OK(ParseRequest(Buffer(Request().SerializeAsString()), &parsed));
  EXPECT_EQ(parsed.disclosure().sections(1).body(), "caf\xc3\xa9 au lait");
}

TEST(RequestParserTest, InvalidUtf8NamesTheField) {
  v1::SendDisclosureRequest parsed;
  EXPECT_THAT(
      ParseRequest(Buffer(Swapped(Request(), "\xc3\xa9", "\xff\xfe")), &parsed),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "disclosure.sections[1].body: not valid UTF-8"));
  EXPECT_THAT(ParseRequest(Buffer(Swapped(Request(), "third",
                                          "th\xc0\xaf"
                                          "d")),
                           &parsed),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "disclosure.sections[2].title: not valid UTF-8"));
  EXPECT_THAT(
      ParseRequest(Buffer(Swapped(Request(), "req-1", "req\xed\xa0\x80")),
                   &parsed),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "request_id: not valid UTF-8"));
}

TEST(RequestParserTest, BrokenWireFormatIsInvalidArgument) {
  v1::SendDisclosureRequest parsed;
  std::string wire = Request().SerializeAsString();
  wire.resize(wire.size() - 3);  // a length prefix now runs past the end
  EXPECT_THAT(
      ParseRequest(Buffer(wire), &parsed),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "request: not a valid caregate.v1.SendDisclosureRequest"));
  EXPECT_THAT(
      ParseRequest(Buffer(std::string("\x00\x01", 2)), &parsed),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "request: not a valid caregate.v1.SendDisclosureRequest"));
}

TEST(RequestParserTest, ErrorsNeverEchoTheBytes) {
  v1::SendDisclosureRequest parsed;
  absl::Status s = ParseRequest(
      Buffer(Swapped(Request(), "caf\xc3\xa9", "Jane\xff")), &parsed);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("Jane")));
}

}  // namespace
}  // namespace caregate
