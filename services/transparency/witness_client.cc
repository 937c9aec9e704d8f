#include "services/transparency/witness_client.h"

#include <httplib.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/transparency/signed_note.h"
#include "services/transparency/witness_protocol.h"

namespace caregate::tlog {
namespace {

struct ParsedUrl {
  std::string scheme_host_port;
  std::string prefix;  // "" or "/path" without a trailing "/"
};

absl::StatusOr<ParsedUrl> ParseWitnessUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme_end == std::string_view::npos ||
      (scheme != "http" && scheme != "https")) {
    return absl::InvalidArgumentError(
        absl::StrCat("witness URL \"", AsAbsl(url),
                     "\" must start with http:// or https://"));
  }
  const size_t path = url.find('/', scheme_end + 3);
  ParsedUrl parsed;
  parsed.scheme_host_port = std::string(url.substr(0, path));
  if (parsed.scheme_host_port.size() == scheme_end + 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("witness URL \"", AsAbsl(url), "\" has no host"));
  }
  if (path != std::string_view::npos) parsed.prefix = url.substr(path);
  while (!parsed.prefix.empty() && parsed.prefix.back() == '/') {
    parsed.prefix.pop_back();
  }
  return parsed;
}

std::chrono::microseconds ToChrono(absl::Duration d) {
  return std::chrono::microseconds(absl::ToInt64Microseconds(d));
}

}  // namespace

absl::StatusOr<std::unique_ptr<WitnessClient>> WitnessClient::Create(
    std::string_view url, std::string_view witness_key,
    const WitnessClientOptions& options) {
  CG_ASSIGN_OR_RETURN(ParsedUrl parsed, ParseWitnessUrl(url));
  CG_ASSIGN_OR_RETURN(std::unique_ptr<NoteVerifier> verifier,
                      NoteVerifier::FromVerifierKey(witness_key));
  if (verifier->type() != NoteKeyType::kCosignatureV1) {
    return absl::InvalidArgumentError(
        absl::StrCat("witness key of ", verifier->name(),
                     " is not a cosignature/v1 (type 0x04) verifier key"));
  }
  auto http = std::make_unique<httplib::Client>(parsed.scheme_host_port);
  if (!http->is_valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat("witness URL \"", AsAbsl(url),
                     "\" is not usable (https needs "
                     "OpenSSL support, or the host is malformed)"));
  }
  http->set_connection_timeout(ToChrono(options.timeout));
  http->set_read_timeout(ToChrono(options.timeout));
  http->set_write_timeout(ToChrono(options.timeout));
  http->set_keep_alive(true);
  http->set_follow_location(false);
  http->enable_server_certificate_verification(true);
  if (!options.ca_cert_file.empty()) {
    http->set_ca_cert_path(options.ca_cert_file);
  }
  return std::unique_ptr<WitnessClient>(new WitnessClient(
      std::move(verifier), std::move(http), std::move(parsed.prefix)));
}

WitnessClient::WitnessClient(std::unique_ptr<NoteVerifier> verifier,
                             std::unique_ptr<httplib::Client> http,
                             std::string prefix)
    : verifier_(std::move(verifier)),
      prefix_(std::move(prefix)),
      http_(std::move(http)) {}

WitnessClient::~WitnessClient() = default;

absl::Status WitnessClient::Named(const absl::Status& status) const {
  absl::Status named(status.code(),
                     absl::StrCat("witness ", name(), ": ", status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    named.SetPayload(url, payload);
  });
  return named;
}

absl::StatusOr<std::pair<int, std::string>> WitnessClient::Send(
    std::string_view method, std::string_view path, std::string body) {
  httplib::Request request;
  request.method = std::string(method);
  request.path = absl::StrCat(prefix_, AsAbsl(path));
  if (!body.empty()) {
    request.set_header("Content-Type", "text/plain; charset=utf-8");
    request.body = std::move(body);
  }
  std::string reply;
  bool too_large = false;
  request.content_receiver = [&](const char* data, size_t length, uint64_t,
                                 uint64_t) {
    if (reply.size() + length > kMaxWitnessReplyBytes) {
      too_large = true;
      return false;
    }
    reply.append(data, length);
    return true;
  };
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  bool sent;
  {
    absl::MutexLock lock(&mu_);
    sent = http_->send(request, response, error);
  }
  if (too_large) {
    return Named(absl::UnavailableError(
        absl::StrCat("reply larger than ", kMaxWitnessReplyBytes, " bytes")));
  }
  if (!sent) {
    return Named(absl::UnavailableError(
        absl::StrCat("cannot reach it: ", httplib::to_string(error))));
  }
  return std::make_pair(response.status, std::move(reply));
}

absl::StatusOr<WitnessCosignature> WitnessClient::CheckCosignature(
    const std::string& text, std::string_view lines) const {
  absl::StatusOr<std::vector<NoteSignature>> signatures =
      ParseSignatureLines(lines);
  if (!signatures.ok()) {
    return Named(absl::UnavailableError(absl::StrCat(
        "malformed cosignature reply: ", signatures.status().message())));
  }
  const NoteVerifier* trusted[] = {verifier_.get()};
  absl::StatusOr<std::vector<VerifiedSignature>> verified =
      VerifyNote(SignedNote{text, *std::move(signatures)}, trusted);
  if (!verified.ok()) return Named(verified.status());
  const VerifiedSignature& first = verified->front();
  if (!first.timestamp.has_value() || *first.timestamp == 0) {
    return Named(absl::UnauthenticatedError("cosignature has no timestamp"));
  }
  return WitnessCosignature{first.signature, *first.timestamp,
                            FormatSignatureLine(first.signature)};
}

absl::StatusOr<WitnessCosignature> WitnessClient::AddCheckpoint(
    int64_t old_size, absl::Span<const Hash256> proof,
    std::string_view checkpoint_note) {
  absl::StatusOr<SignedNote> note = ParseSignedNote(checkpoint_note);
  if (!note.ok()) {
    return Named(absl::InvalidArgumentError(
        absl::StrCat("checkpoint to send: ", note.status().message())));
  }
  AddCheckpointRequest request{
      old_size, {proof.begin(), proof.end()}, std::string(checkpoint_note)};
  absl::StatusOr<std::string> body = FormatAddCheckpointRequest(request);
  if (!body.ok()) return Named(body.status());
  CG_ASSIGN_OR_RETURN(auto reply,
                      Send("POST", "/add-checkpoint", *std::move(body)));
  if (reply.first != 200) {
    return Named(StatusForHttpReply(reply.first, reply.second));
  }
  return CheckCosignature(note->text, reply.second);
}

absl::StatusOr<std::optional<WitnessedCheckpoint>>
WitnessClient::LatestCheckpoint(std::string_view origin) {
  CG_ASSIGN_OR_RETURN(auto reply, Send("GET", CheckpointPath(origin), ""));
  if (reply.first == 404) return std::nullopt;
  if (reply.first != 200) {
    return Named(StatusForHttpReply(reply.first, reply.second));
  }
  absl::StatusOr<SignedNote> note = ParseSignedNote(reply.second);
  absl::StatusOr<Checkpoint> checkpoint =
      note.ok() ? ParseCheckpoint(note->text) : note.status();
  if (!checkpoint.ok()) {
    return Named(absl::UnavailableError(absl::StrCat(
        "malformed checkpoint reply: ", checkpoint.status().message())));
  }
  if (checkpoint->origin != origin) {
    return Named(absl::UnavailableError(
        absl::StrCat("served a checkpoint of origin \"", checkpoint->origin,
                     "\" for \"", AsAbsl(origin), "\"")));
  }
  std::string lines;
  for (const NoteSignature& signature : note->signatures) {
    lines += FormatSignatureLine(signature);
  }
  CG_ASSIGN_OR_RETURN(WitnessCosignature cosignature,
                      CheckCosignature(note->text, lines));
  return WitnessedCheckpoint{std::move(reply.second), *std::move(checkpoint),
                             std::move(cosignature)};
}

}  // namespace caregate::tlog
