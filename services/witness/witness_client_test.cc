// WitnessClient against a real WitnessServer on 127.0.0.1 (and, for https,
// against an httplib TLS server with a development certificate).
#include "services/transparency/witness_client.h"

#include <httplib.h>

#include <fstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/pki/dev_ca.h"
#include "services/witness/test_log.h"
#include "services/witness/witness.h"
#include "services/witness/witness_server.h"
#include "tests/testing/status_matchers.h"

namespace caregate::witness {
namespace {

using ::caregate::testing::StatusIs;
using testing::FreshTempDir;
using ::testing::HasSubstr;
using testing::TestLog;
using tlog::WitnessClient;

// A WitnessServer serving on a free loopback port until destroyed.
class RunningServer {
 public:
  explicit RunningServer(Witness* witness, std::string listen = "127.0.0.1:0") {
    auto server = WitnessServer::Bind(witness, listen);
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    thread_ = std::thread([this] { (void)server_->Serve(); });
  }
  ~RunningServer() {
    server_->Stop();
    thread_.join();
  }
  std::string url() const {
    return absl::StrCat("http://127.0.0.1:", server_->port());
  }
  int port() const { return server_->port(); }

 private:
  std::unique_ptr<WitnessServer> server_;
  std::thread thread_;
};

class WitnessClientTest : public ::testing::Test {
 protected:
  void SetUp() override { StartWitness({}); }

  void StartWitness(std::vector<std::string> log_keys) {
    server_.reset();
    WitnessOptions options;
    options.state_dir = FreshTempDir("witness_client") / "state";
    options.name = "witness.test/w1";
    options.log_keys = std::move(log_keys);
    auto witness = Witness::Open(options);
    ASSERT_TRUE(witness.ok()) << witness.status();
    witness_ = *std::move(witness);
    server_ = std::make_unique<RunningServer>(witness_.get());
  }

  std::unique_ptr<WitnessClient> Client(std::string url = "",
                                        std::string key = "") {
    auto client = WitnessClient::Create(
        url.empty() ? server_->url() : url,
        key.empty() ? witness_->verifier_key() : key, {absl::Seconds(5), ""});
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  std::unique_ptr<Witness> witness_;
  std::unique_ptr<RunningServer> server_;
};

TEST_F(WitnessClientTest, GetsVerifiedCosignatures) {
  TestLog log("log.test/a");
  log.Append(6);
  std::unique_ptr<WitnessClient> client = Client();
  absl::StatusOr<tlog::WitnessCosignature> first =
      client->AddCheckpoint(0, {}, log.Note(3));
  CG_ASSERT_OK(first);
  EXPECT_EQ(first->signature.key_name, "witness.test/w1");
  EXPECT_GT(first->timestamp, 1700000000);
  EXPECT_THAT(first->line,
              ::testing::StartsWith("\xE2\x80\x94 witness.test/w1 "));
  CG_EXPECT_OK(client->AddCheckpoint(3, log.Proof(3, 6), log.Note(6)));
}

TEST_F(WitnessClientTest, ReconnectsAfterTheWitnessRestarts) {
  TestLog log("log.test/a");
  log.Append(3);
  std::unique_ptr<WitnessClient> client = Client();
  CG_ASSERT_OK(client->AddCheckpoint(0, {}, log.Note(2)));
  const int port = server_->port();
  server_.reset();  // closes the connection the client kept alive
  server_ = std::make_unique<RunningServer>(witness_.get(),
                                            absl::StrCat("127.0.0.1:", port));
  CG_EXPECT_OK(client->AddCheckpoint(2, log.Proof(2, 3), log.Note(3)));
}

TEST_F(WitnessClientTest, ReportsEachRefusalWithItsCode) {
  TestLog log("log.test/a");
  log.Append(8);
  std::unique_ptr<WitnessClient> client = Client();
  CG_ASSERT_OK(client->AddCheckpoint(0, {}, log.Note(5)));

  absl::Status conflict =
      client->AddCheckpoint(2, log.Proof(2, 8), log.Note(8)).status();
  EXPECT_THAT(conflict, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 HasSubstr("witness witness.test/w1: witness "
                                           "holds a checkpoint of size 5")));
  EXPECT_EQ(tlog::WitnessSizeOf(conflict), 5);

  TestLog fork("log.test/a", "fork");
  fork.Append(8);
  EXPECT_THAT(client->AddCheckpoint(5, fork.Proof(5, 8), fork.Note(8)),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("(HTTP 422: checkpoint of size 8 is not "
                                 "consistent")));
  EXPECT_THAT(client->AddCheckpoint(6, {}, log.Note(5)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("HTTP 400: old size 6 is larger")));
  EXPECT_THAT(client->AddCheckpoint(0, {}, "not a note"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("checkpoint to send")));
}

TEST_F(WitnessClientTest, ReportsUnknownLogsAndBadSignatures) {
  TestLog log("log.test/a");
  TestLog stranger("log.test/b");
  TestLog impostor("log.test/a");
  StartWitness({log.verifier_key()});
  log.Append(2);
  stranger.Append(2);
  impostor.Append(2);
  std::unique_ptr<WitnessClient> client = Client();
  EXPECT_THAT(client->AddCheckpoint(0, {}, stranger.Note(2)),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("does not know the log")));
  EXPECT_THAT(
      client->AddCheckpoint(0, {}, impostor.Note(2)),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("HTTP 403")));
  CG_EXPECT_OK(client->AddCheckpoint(0, {}, log.Note(2)));
}

TEST_F(WitnessClientTest, ReadsTheLatestCheckpoint) {
  TestLog log("log.test/a");
  log.Append(4);
  std::unique_ptr<WitnessClient> client = Client();
  absl::StatusOr<std::optional<tlog::WitnessedCheckpoint>> none =
      client->LatestCheckpoint("log.test/a");
  CG_ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  absl::StatusOr<tlog::WitnessCosignature> cosignature =
      client->AddCheckpoint(0, {}, log.Note(4));
  CG_ASSERT_OK(cosignature);
  absl::StatusOr<std::optional<tlog::WitnessedCheckpoint>> latest =
      client->LatestCheckpoint("log.test/a");
  CG_ASSERT_OK(latest);
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->checkpoint.size, 4);
  EXPECT_EQ((*latest)->checkpoint.root, log.Root(4));
  EXPECT_EQ((*latest)->cosignature.line, cosignature->line);
  EXPECT_EQ((*latest)->note, log.Note(4) + cosignature->line);
}

TEST_F(WitnessClientTest, RefusesACosignatureByAnotherKey) {
  TestLog log("log.test/a");
  log.Append(1);
  // The right name, another key: the witness's line does not match it.
  TestLog other("witness.test/w1");
  auto key = Ed25519Signer::FromPem(
      ::caregate::testing::NewEd25519KeyPair().private_pem);
  auto cosigner = tlog::NoteSigner::Create(
      "witness.test/w1", tlog::NoteKeyType::kCosignatureV1, *std::move(key));
  std::unique_ptr<WitnessClient> client =
      Client("", (*cosigner)->verifier_key());
  EXPECT_THAT(client->AddCheckpoint(0, {}, log.Note(1)),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no signature by a trusted key "
                                 "(witness.test/w1)")));
}

TEST_F(WitnessClientTest, UnreachableWitnessIsUnavailable) {
  std::string url;
  {
    RunningServer gone(witness_.get());
    url = gone.url();
  }
  auto client = WitnessClient::Create(url, witness_->verifier_key(),
                                      {absl::Seconds(2), ""});
  CG_ASSERT_OK(client);
  TestLog log("log.test/a");
  log.Append(1);
  EXPECT_THAT((*client)->AddCheckpoint(0, {}, log.Note(1)),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("witness witness.test/w1: cannot reach it")));
}

TEST_F(WitnessClientTest, RejectsBadUrlsAndKeys) {
  const std::string key = witness_->verifier_key();
  EXPECT_THAT(WitnessClient::Create("ftp://x", key),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must start with http:// or https://")));
  EXPECT_THAT(
      WitnessClient::Create("http://", key),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has no host")));
  TestLog log("log.test/a");  // an Ed25519 (0x01) key, not a cosigner's
  EXPECT_THAT(WitnessClient::Create("http://127.0.0.1:1", log.verifier_key()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a cosignature/v1 (type 0x04)")));
}

// A server that answers every request with `status` and `body`.
class FakeWitness {
 public:
  FakeWitness(int status, std::string body, std::string content_type) {
    server_.Post("/prefix/add-checkpoint",
                 [=](const httplib::Request&, httplib::Response& res) {
                   res.status = status;
                   res.set_content(body, content_type);
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeWitness() {
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  std::string url() const {
    return absl::StrCat("http://127.0.0.1:", port_, "/prefix/");
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(WitnessClientTest, BoundsAndChecksReplies) {
  TestLog log("log.test/a");
  log.Append(1);
  {
    FakeWitness huge(200, std::string(tlog::kMaxWitnessReplyBytes + 1, 'x'),
                     "text/plain");
    EXPECT_THAT(Client(huge.url())->AddCheckpoint(0, {}, log.Note(1)),
                StatusIs(absl::StatusCode::kUnavailable,
                         HasSubstr("reply larger than 65536 bytes")));
  }
  {
    FakeWitness garbage(200, "hello\n", "text/plain");
    EXPECT_THAT(Client(garbage.url())->AddCheckpoint(0, {}, log.Note(1)),
                StatusIs(absl::StatusCode::kUnavailable,
                         HasSubstr("malformed cosignature reply")));
  }
  {
    FakeWitness bad_conflict(409, "many\n", "text/x.tlog.size");
    EXPECT_THAT(Client(bad_conflict.url())->AddCheckpoint(0, {}, log.Note(1)),
                StatusIs(absl::StatusCode::kUnavailable,
                         HasSubstr("conflict without a valid size")));
  }
  {
    FakeWitness down(503, "maintenance\n", "text/plain");
    EXPECT_THAT(Client(down.url())->AddCheckpoint(0, {}, log.Note(1)),
                StatusIs(absl::StatusCode::kUnavailable,
                         HasSubstr("HTTP 503: maintenance")));
  }
}

TEST_F(WitnessClientTest, WorksOverHttpsWithAPinnedCa) {
  const std::filesystem::path dir = FreshTempDir("witness_tls");
  auto ca = pki::DevCertificateAuthority::Create("witness test CA", 1);
  CG_ASSERT_OK(ca);
  auto leaf = (*ca)->Issue({"127.0.0.1",
                            {{pki::SubjectAltName::Kind::kIp, "127.0.0.1"}},
                            pki::LeafUsage::kServer,
                            1});
  CG_ASSERT_OK(leaf);
  std::ofstream(dir / "ca.pem") << *(*ca)->CertificatePem();
  std::ofstream(dir / "server.pem") << leaf->certificate_pem;
  std::ofstream(dir / "server.key") << leaf->private_key_pem;

  httplib::SSLServer tls((dir / "server.pem").c_str(),
                         (dir / "server.key").c_str());
  ASSERT_TRUE(tls.is_valid());
  Witness* witness = witness_.get();
  tls.Post("/add-checkpoint", [witness](const httplib::Request& req,
                                        httplib::Response& res) {
    absl::StatusOr<std::string> line = witness->AddCheckpoint(req.body);
    res.status = tlog::HttpStatusFor(line.status());
    res.set_content(line.ok() ? *line : "refused\n", "text/plain");
  });
  const int port = tls.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { tls.listen_after_bind(); });

  TestLog log("log.test/a");
  log.Append(2);
  const std::string url = absl::StrCat("https://127.0.0.1:", port);
  {
    auto pinned =
        WitnessClient::Create(url, witness_->verifier_key(),
                              {absl::Seconds(5), (dir / "ca.pem").string()});
    CG_ASSERT_OK(pinned);
    CG_EXPECT_OK((*pinned)->AddCheckpoint(0, {}, log.Note(2)));
    // Without the CA the certificate does not verify.
    auto unpinned = WitnessClient::Create(url, witness_->verifier_key(),
                                          {absl::Seconds(5), ""});
    CG_ASSERT_OK(unpinned);
    EXPECT_THAT(
        (*unpinned)->AddCheckpoint(2, {}, log.Note(2)),
        StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot reach it")));
  }  // closes the kept-alive connection before the server stops

  while (!tls.is_running()) std::this_thread::yield();
  tls.stop();
  serving.join();
}

}  // namespace
}  // namespace caregate::witness
