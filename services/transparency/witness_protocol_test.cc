#include "services/transparency/witness_protocol.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "tests/testing/status_matchers.h"

namespace caregate::tlog {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

// The example request of the C2SP tlog-witness specification.
constexpr std::string_view kSpecCheckpoint =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\xE2\x80\x94 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9n"
    "To+zyWE+xeMcTOAYQ8=\n";
constexpr std::string_view kSpecProofLines =
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n";

std::string SpecBody() {
  return "old 20852014\n" + std::string(kSpecProofLines) + "\n" +
         std::string(kSpecCheckpoint);
}

TEST(AddCheckpointRequestTest, ParsesAndFormatsTheSpecExample) {
  absl::StatusOr<AddCheckpointRequest> request =
      ParseAddCheckpointRequest(SpecBody());
  CG_ASSERT_OK(request);
  EXPECT_EQ(request->old_size, 20852014);
  ASSERT_EQ(request->proof.size(), 4u);
  EXPECT_EQ(Base64Encode(HashBytes(request->proof[3])),
            "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=");
  EXPECT_EQ(request->checkpoint_note, kSpecCheckpoint);
  absl::StatusOr<std::string> body = FormatAddCheckpointRequest(*request);
  CG_ASSERT_OK(body);
  EXPECT_EQ(*body, SpecBody());
}

TEST(AddCheckpointRequestTest, AcceptsAnEmptyProofFromSizeZero) {
  absl::StatusOr<AddCheckpointRequest> request =
      ParseAddCheckpointRequest("old 0\n\n" + std::string(kSpecCheckpoint));
  CG_ASSERT_OK(request);
  EXPECT_EQ(request->old_size, 0);
  EXPECT_TRUE(request->proof.empty());
}

TEST(AddCheckpointRequestTest, RejectsMalformedBodies) {
  const std::string cp(kSpecCheckpoint);
  const std::string hash = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
  std::string too_many = "old 1\n";
  for (int i = 0; i < 64; ++i) too_many += hash;
  struct Case {
    std::string body;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "does not start with an \"old <size>\" line"},
      {"new 1\n\n" + cp, "does not start with an \"old <size>\" line"},
      {"old 01\n\n" + cp, "old size is not a decimal"},
      {"old -1\n\n" + cp, "old size is not a decimal"},
      {"old  1\n\n" + cp, "old size is not a decimal"},
      {"old 1", "does not start with an \"old <size>\" line"},
      {"old 1\n" + hash, "no blank line before the checkpoint"},
      {"old 1\n" + hash + "\n", "request has no checkpoint"},
      {"old 1\nAAAA\n\n" + cp, "proof line 1 is not the base64 of 32 bytes"},
      {"old 1\n" + hash + hash.substr(1) + "\n" + cp, "proof line 2"},
      {"old 1\n" + hash + " \n\n" + cp, "proof line 2"},
      {too_many + "\n" + cp, "more than 63 consistency proof lines"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        ParseAddCheckpointRequest(c.body),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.body;
  }
}

TEST(AddCheckpointRequestTest, FormatRefusesWhatTheSpecForbids) {
  AddCheckpointRequest request;
  request.old_size = -1;
  EXPECT_THAT(FormatAddCheckpointRequest(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("old size -1 is out of range")));
  request.old_size = 1;
  request.proof.resize(64);
  EXPECT_THAT(FormatAddCheckpointRequest(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at most 63 may be sent")));
}

TEST(TreeSizeBodyTest, RoundTrips) {
  EXPECT_EQ(FormatTreeSizeBody(42), "42\n");
  EXPECT_EQ(ParseTreeSizeBody("42\n"), 42);
  EXPECT_EQ(ParseTreeSizeBody("42"), std::nullopt);
  EXPECT_EQ(ParseTreeSizeBody("042\n"), std::nullopt);
}

TEST(WitnessStatusTest, ConflictCarriesTheSize) {
  absl::Status conflict = WitnessConflictError(17, "holds 17");
  EXPECT_THAT(conflict,
              StatusIs(absl::StatusCode::kFailedPrecondition, "holds 17"));
  EXPECT_EQ(WitnessSizeOf(conflict), 17);
  EXPECT_EQ(WitnessSizeOf(absl::FailedPreconditionError("holds 17")),
            std::nullopt);
  EXPECT_EQ(HttpStatusFor(conflict), 409);
}

TEST(WitnessStatusTest, MapsBothWays) {
  EXPECT_EQ(HttpStatusFor(absl::OkStatus()), 200);
  EXPECT_EQ(HttpStatusFor(absl::InvalidArgumentError("")), 400);
  EXPECT_EQ(HttpStatusFor(absl::UnauthenticatedError("")), 403);
  EXPECT_EQ(HttpStatusFor(absl::PermissionDeniedError("")), 403);
  EXPECT_EQ(HttpStatusFor(absl::NotFoundError("")), 404);
  EXPECT_EQ(HttpStatusFor(absl::DataLossError("")), 422);
  EXPECT_EQ(HttpStatusFor(absl::InternalError("")), 500);

  EXPECT_THAT(StatusForHttpReply(400, "old size 5 > size 3\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("(HTTP 400: old size 5 > size 3)")));
  EXPECT_THAT(
      StatusForHttpReply(403, ""),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("(HTTP 403)")));
  EXPECT_THAT(StatusForHttpReply(404, "unknown"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("does not know the log")));
  EXPECT_THAT(StatusForHttpReply(422, "bad\x01proof"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("inconsistent with the one it holds (HTTP "
                                 "422: bad proof)")));
  absl::Status conflict = StatusForHttpReply(409, "12\n");
  EXPECT_THAT(conflict, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 HasSubstr("checkpoint of size 12")));
  EXPECT_EQ(WitnessSizeOf(conflict), 12);
  EXPECT_THAT(StatusForHttpReply(409, "twelve"),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("conflict without a valid size")));
  EXPECT_THAT(StatusForHttpReply(503, std::string(1000, 'x')),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("witness unavailable (HTTP 503: xxx")));
  EXPECT_LT(StatusForHttpReply(503, std::string(1000, 'x')).message().size(),
            300u);
}

TEST(CheckpointPathTest, IsTheHexSha256OfTheOrigin) {
  // echo -n example.com/behind-the-sofa | sha256sum
  EXPECT_EQ(CheckpointPath("example.com/behind-the-sofa"),
            "/5fd2dc0beb4ce54da5050cf6d5c75248b023abad441c3cecde3976fbe9da4fe4"
            "/checkpoint");
}

}  // namespace
}  // namespace caregate::tlog
