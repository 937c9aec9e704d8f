// Test support for push delivery (test-only library caregate_push_testing):
// a dev-init setup in a temporary directory for real certificates and keys,
// signed sample messages, and two in-process endpoint stubs on 127.0.0.1 —
// a gRPC CareReceiver and an HTTPS FHIR server — each with real mTLS and
// programmable answers (codes, statuses, hangs). Nothing here is real
// patient data.
#ifndef CAREGATE_SERVICES_PUSH_PUSH_TEST_SUPPORT_H_
#define CAREGATE_SERVICES_PUSH_PUSH_TEST_SUPPORT_H_

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caregate/receiver/v1/receiver.grpc.pb.h"
#include "caregate/v1/types.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/config/gateway_config.h"
#include "services/crypto/ed25519.h"
#include "services/pki/sample_config.h"
#include "services/push/push_transport.h"
#include "tests/testing/temp_dir.h"

namespace httplib {
class SSLServer;
}

namespace caregate::push::testing {

// `caregatectl dev-init` into a fresh temporary directory, removed again by
// the destructor. Aborts the test (fatal failure) when dev-init fails.
class DevSetup {
 public:
  explicit DevSetup(pki::DevInitOptions options = {});
  DevSetup(const DevSetup&) = delete;
  DevSetup& operator=(const DevSetup&) = delete;

  const std::string& dir() const { return dir_; }
  // dir()/relative.
  std::string Path(std::string_view relative) const;
  // The contents of dir()/relative; empty (and a test failure) when missing.
  std::string Read(std::string_view relative) const;
  // The audit signing key, which also signs messages.
  const Ed25519Signer& signer() const { return *signer_; }

 private:
  ::caregate::testing::TempDir root_{"push_dev"};
  std::string dir_;
  std::unique_ptr<Ed25519Signer> signer_;
};

// A sample message (three sections, two consent summaries) with this id,
// signed by `signer`.
v1::Message SignedMessage(const Ed25519Signer& signer,
                          std::string_view message_id);

// The setup's gateway config with delivery blocks added: org_id -> a
// CareReceiver's "host:port" or a FHIR base URL (https://...), each trusting
// pki/ca.crt. Paths resolve against the setup's directory.
std::shared_ptr<const GatewayConfig> ConfigWithEndpoints(
    const DevSetup& setup, const std::map<std::string, std::string>& endpoints);

// Writes a server certificate for `host` alone, from a new CA, as
// pki/<stem>.crt, pki/<stem>.key and pki/<stem>-ca.crt of the setup: for
// endpoints that must fail verification.
void WriteForeignServerCertificate(const DevSetup& setup, std::string_view stem,
                                   std::string_view host);

// Median and maximum of `samples`.
struct LatencySummary {
  absl::Duration p50;
  absl::Duration max;
};
LatencySummary Summarize(std::vector<absl::Duration> samples);

// Collects push results; thread-safe.
class ResultCollector {
 public:
  struct Entry {
    std::string tag;
    PushResult result;
    absl::Time at;
  };
  // A callback that records its result under `tag`.
  PushCallback Callback(std::string tag);
  // Waits until `count` results have arrived or `timeout` passed; returns
  // what arrived, in order.
  std::vector<Entry> WaitFor(size_t count, absl::Duration timeout);

 private:
  absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// What an endpoint stub saw of one request.
struct ReceivedPush {
  std::string message_id;       // gRPC: from the request; FHIR: empty
  int attempt = 0;              // gRPC only
  std::string body;             // FHIR: the request body
  std::string content_type;     // FHIR only
  std::string client_identity;  // URI SAN of the client certificate
  absl::Time at;                // when the stub received it
};

// caregate.receiver.v1.CareReceiver on 127.0.0.1:<free port>, serving mTLS
// with pki/receiver.crt and requiring client certificates from pki/ca.crt.
class ReceiverStub {
 public:
  struct Reply {
    grpc::StatusCode code = grpc::StatusCode::OK;
    bool acknowledged = false;
    // Hold the call until ReleaseHung() or the stub's destruction.
    bool hang = false;
  };
  // `cert` and `key`: files of `setup`.
  explicit ReceiverStub(const DevSetup& setup,
                        std::string_view cert = pki::kReceiverCertFile,
                        std::string_view key = pki::kReceiverKeyFile);
  ~ReceiverStub();

  std::string address() const;  // "127.0.0.1:PORT"
  // Answers the next calls with these replies, then with `default_reply`.
  void Script(std::deque<Reply> replies);
  void SetDefault(Reply reply);
  // Finishes every held call, and from then on every hang at once, with
  // UNAVAILABLE.
  void ReleaseHung();
  // Waits until `count` calls have arrived (at most `timeout`).
  bool WaitForCalls(size_t count, absl::Duration timeout);
  std::vector<ReceivedPush> received() const;

 private:
  class Service;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// An HTTPS server on 127.0.0.1:<free port> taking POST /r4/$process-message,
// with pki/receiver.crt and client certificates from pki/ca.crt.
class FhirStub {
 public:
  struct Reply {
    int status = 200;
    // Hold the request until ReleaseHung() or destruction (then answer 503).
    bool hang = false;
  };
  explicit FhirStub(const DevSetup& setup,
                    std::string_view cert = pki::kReceiverCertFile,
                    std::string_view key = pki::kReceiverKeyFile);
  ~FhirStub();

  // "https://localhost:PORT/r4".
  std::string base_url() const;
  int port() const { return port_; }
  void Script(std::deque<Reply> replies);
  void SetDefault(Reply reply);
  // Answers every held request, and from then on every hang at once, 503.
  void ReleaseHung();
  bool WaitForCalls(size_t count, absl::Duration timeout);
  std::vector<ReceivedPush> received() const;

 private:
  Reply NextReply() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::deque<Reply> script_ ABSL_GUARDED_BY(mu_);
  Reply default_reply_ ABSL_GUARDED_BY(mu_);
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<ReceivedPush> received_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caregate::push::testing

#endif  // CAREGATE_SERVICES_PUSH_PUSH_TEST_SUPPORT_H_
