#include "services/push/https_post_loop.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace caregate::push {
namespace {

constexpr absl::Duration kMaxConnectTimeout = absl::Seconds(10);
constexpr int kIdlePollMs = 1000;

// curl_global_init once per process (thread-safe since libcurl 7.84).
bool InitCurlOnce() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

size_t DiscardBody(char*, size_t size, size_t count, void*) {
  return size * count;
}

curl_blob Blob(const std::string& pem) {
  return curl_blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_NOCOPY};
}

}  // namespace

struct HttpsPostLoop::Request {
  std::string url;
  BodyMaker make_body;
  Callback done;
  std::string body;  // kept alive while libcurl sends it
};

// The libcurl handles; used on the loop thread only (after construction).
class HttpsPostLoop::Curl {
 public:
  ~Curl() {
    if (multi != nullptr) curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
  }
  CURLM* multi = nullptr;
  curl_slist* headers = nullptr;
  absl::flat_hash_map<CURL*, std::unique_ptr<Request>> running;
};

absl::StatusOr<std::unique_ptr<HttpsPostLoop>> HttpsPostLoop::Create(
    HttpsPostOptions options) {
  if (options.ca_pem.empty()) {
    return absl::InvalidArgumentError("HTTPS push: CA certificate required");
  }
  if (options.client_cert_pem.empty() != options.client_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "HTTPS push: client certificate and key go together");
  }
  if (!InitCurlOnce()) return absl::InternalError("curl_global_init failed");
  auto curl = std::make_unique<Curl>();
  curl->multi = curl_multi_init();
  if (curl->multi == nullptr) return absl::InternalError("curl_multi_init");
  for (const std::string& header : options.headers) {
    curl_slist* more = curl_slist_append(curl->headers, header.c_str());
    if (more == nullptr) return absl::InternalError("curl_slist_append");
    curl->headers = more;
  }
  return std::unique_ptr<HttpsPostLoop>(
      new HttpsPostLoop(std::move(options), std::move(curl)));
}

HttpsPostLoop::HttpsPostLoop(HttpsPostOptions options,
                             std::unique_ptr<Curl> curl)
    : options_(std::move(options)),
      curl_(std::move(curl)),
      thread_([this] { Loop(); }) {}

HttpsPostLoop::~HttpsPostLoop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(curl_->multi);
  thread_.join();
}

void HttpsPostLoop::Post(std::string url, BodyMaker make_body, Callback done) {
  auto request = std::make_unique<Request>();
  request->url = std::move(url);
  request->make_body = std::move(make_body);
  request->done = std::move(done);
  {
    absl::MutexLock lock(&mu_);
    incoming_.push_back(std::move(request));
  }
  curl_multi_wakeup(curl_->multi);
}

void HttpsPostLoop::Loop() {
  while (true) {
    std::deque<std::unique_ptr<Request>> batch;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      batch.swap(incoming_);
      stopping = stopping_;
    }
    if (stopping) {
      CancelAll(std::move(batch));
      return;
    }
    for (auto& request : batch) StartRequest(std::move(request));
    int still_running = 0;
    curl_multi_perform(curl_->multi, &still_running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(curl_->multi, &left)) {
      if (msg->msg == CURLMSG_DONE) {
        FinishRequest(msg->easy_handle, msg->data.result);
      }
    }
    curl_multi_poll(curl_->multi, nullptr, 0, kIdlePollMs, nullptr);
  }
}

void HttpsPostLoop::StartRequest(std::unique_ptr<Request> request) {
  absl::StatusOr<std::string> body = request->make_body();
  if (!body.ok()) {
    Result result;
    result.body_error = std::string(body.status().message());
    request->done(std::move(result));
    return;
  }
  request->body = *std::move(body);
  CURL* easy = curl_easy_init();
  if (easy == nullptr) {
    Result result;
    result.curl_code = CURLE_OUT_OF_MEMORY;
    result.curl_error = curl_easy_strerror(CURLE_OUT_OF_MEMORY);
    request->done(std::move(result));
    return;
  }
  const long timeout_ms = absl::ToInt64Milliseconds(options_.timeout);
  const long connect_ms =
      absl::ToInt64Milliseconds(std::min(options_.timeout, kMaxConnectTimeout));
  curl_easy_setopt(easy, CURLOPT_URL, request->url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request->body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, curl_->headers);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "caregate-push");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, DiscardBody);
  // Trust the configured CA bundle and nothing else.
  curl_easy_setopt(easy, CURLOPT_CAINFO, nullptr);
  curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
  curl_blob ca = Blob(options_.ca_pem);
  curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.client_cert_pem.empty()) {
    curl_blob cert = Blob(options_.client_cert_pem);
    curl_blob key = Blob(options_.client_key_pem);
    curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
  }
  curl_multi_add_handle(curl_->multi, easy);
  curl_->running.emplace(easy, std::move(request));
}

void HttpsPostLoop::FinishRequest(void* easy_handle, int curl_code) {
  CURL* easy = static_cast<CURL*>(easy_handle);
  auto it = curl_->running.find(easy);
  if (it == curl_->running.end()) return;
  std::unique_ptr<Request> request = std::move(it->second);
  curl_->running.erase(it);
  Result result;
  result.curl_code = curl_code;
  if (curl_code != CURLE_OK) {
    result.curl_error = curl_easy_strerror(static_cast<CURLcode>(curl_code));
  } else {
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result.http_status);
  }
  curl_multi_remove_handle(curl_->multi, easy);
  curl_easy_cleanup(easy);
  request->done(std::move(result));
}

void HttpsPostLoop::CancelAll(
    std::deque<std::unique_ptr<Request>> not_started) {
  Result cancelled;
  cancelled.cancelled = true;
  for (auto& [easy, request] : curl_->running) {
    curl_multi_remove_handle(curl_->multi, easy);
    curl_easy_cleanup(easy);
    request->done(cancelled);
  }
  curl_->running.clear();
  for (auto& request : not_started) request->done(cancelled);
}

}  // namespace caregate::push
