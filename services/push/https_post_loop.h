// HTTPS POSTs without blocking the caller: one libcurl multi handle driven by
// one thread. The server must present a certificate that chains to the given
// CA bundle (and only to it: the system store is not used) and names the
// URL's host; the client certificate, when given, is presented. Redirects
// are not followed; each request is bounded by `timeout`, connecting
// included. Connections are kept alive and reused between requests.
//
// Thread-safe: Post may be called from any thread, but not concurrently with
// the destructor. Callbacks run on the loop thread, exactly once per Post;
// the destructor aborts what is still running and calls those back
// (`cancelled`) before it returns.
#ifndef CAREGATE_SERVICES_PUSH_HTTPS_POST_LOOP_H_
#define CAREGATE_SERVICES_PUSH_HTTPS_POST_LOOP_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace caregate::push {

struct HttpsPostOptions {
  // PEM CA bundle the server's certificate must chain to; required.
  std::string ca_pem;
  // PEM client certificate (chain) and key; both or neither.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Request headers, e.g. "Content-Type: application/fhir+json".
  std::vector<std::string> headers;
  // Longest time one request may take, connecting included.
  absl::Duration timeout = absl::Seconds(30);
};

class HttpsPostLoop {
 public:
  // What became of one POST.
  struct Result {
    // The loop was destroyed before the request finished.
    bool cancelled = false;
    // Making the body failed: its status message; nothing was sent.
    std::string body_error;
    // libcurl's result (0: a response arrived) and its fixed description,
    // e.g. "Couldn't connect to server", "Timeout was reached".
    int curl_code = 0;
    std::string curl_error;
    // The HTTP status of the response, when one arrived.
    long http_status = 0;
  };
  // Makes the request body; runs on the loop thread.
  using BodyMaker = std::function<absl::StatusOr<std::string>()>;
  using Callback = std::function<void(Result)>;

  // INVALID_ARGUMENT without a CA bundle, or with only one of client
  // certificate and key; INTERNAL when libcurl cannot be set up.
  static absl::StatusOr<std::unique_ptr<HttpsPostLoop>> Create(
      HttpsPostOptions options);
  ~HttpsPostLoop();
  HttpsPostLoop(const HttpsPostLoop&) = delete;
  HttpsPostLoop& operator=(const HttpsPostLoop&) = delete;

  // POSTs the body `make_body` returns to `url` (https only).
  void Post(std::string url, BodyMaker make_body, Callback done);

 private:
  struct Request;
  class Curl;

  HttpsPostLoop(HttpsPostOptions options, std::unique_ptr<Curl> curl);
  void Loop();
  void StartRequest(std::unique_ptr<Request> request);
  void FinishRequest(void* easy, int curl_code);
  void CancelAll(std::deque<std::unique_ptr<Request>> not_started);

  const HttpsPostOptions options_;
  std::unique_ptr<Curl> curl_;
  absl::Mutex mu_;
  std::deque<std::unique_ptr<Request>> incoming_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace caregate::push

#endif  // CAREGATE_SERVICES_PUSH_HTTPS_POST_LOOP_H_
