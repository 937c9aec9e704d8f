#include "services/witness/witness_flags.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"

namespace caregate::witness {

absl::StatusOr<WitnessFlags> ParseWitnessFlags(
    absl::Span<const char* const> args) {
  WitnessFlags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      flags.help = true;
      continue;
    }
    std::string_view name = arg;
    std::string value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
      has_value = true;
    }
    std::string* target = nullptr;
    if (name == "--listen") {
      target = &flags.listen;
    } else if (name == "--state") {
      target = &flags.state_dir;
    } else if (name == "--name") {
      target = &flags.name;
    } else if (name == "--log-key") {
      target = &flags.log_keys.emplace_back();
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown argument \"", AsAbsl(arg), "\""));
    }
    if (!has_value) {
      if (i + 1 == args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(AsAbsl(name), " needs a value"));
      }
      value = args[++i];
    }
    if (value.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(AsAbsl(name), " needs a non-empty value"));
    }
    *target = std::move(value);
  }
  if (!flags.help && flags.state_dir.empty()) {
    return absl::InvalidArgumentError("--state DIR is required");
  }
  return flags;
}

std::string WitnessUsage() {
  return absl::StrCat(
      R"(caregate-witness --state DIR [--listen HOST:PORT] [--name NAME]
                 [--log-key VKEY]...

A transparency-log witness (C2SP tlog-witness). It cosigns a log's
checkpoint only when a consistency proof shows that the checkpoint extends
the last one it cosigned for that log, so a log that is rolled back,
forked or rewritten cannot get its cosignature.

On start it prints its verifier key, the C2SP signed-note vkey of its
cosignatures (cosignature/v1, type 0x04), as the first line on stdout:
  <name>+<8 hex digit key ID>+<base64(0x04 || Ed25519 public key)>
Give that line to the logs that use this witness. Logs go to stderr.

Flags:
  --state DIR        Required. The witness's key and state. On first start
                     it creates DIR (mode 0700), DIR/witness-key.pem (a new
                     Ed25519 key, mode 0600) and DIR/witness-state (the
                     latest cosigned checkpoint of every log, mode 0600,
                     replaced atomically and fsync'd before each answer).
                     Later starts reuse them; a key without its state (or
                     the reverse) is refused, since a witness that forgot
                     what it cosigned could be made to cosign a rollback.
  --listen HOST:PORT Address for HTTP (default )",
      kDefaultListen, R"(, loopback).
                     Port 0 picks a free port (logged on stderr). Use
                     [::1]:PORT for IPv6.
  --name NAME        The witness's key name, e.g. witness.example.org/w1
                     (no spaces, no '+'). Fixed at first start (default
                     caregate-witness/<8 hex digits of SHA-256(public key)>);
                     a later start with another name is refused.
  --log-key VKEY     A log's signed-note verifier key (type 0x01 Ed25519 or
                     0x04 cosignature/v1), repeatable. It applies to the log
                     whose checkpoint origin equals the key's name.
                     With at least one --log-key, the witness accepts only
                     those logs (404 for others) and only checkpoints that
                     carry a valid signature by one of their keys (403).
                     With none, it accepts every origin WITHOUT checking log
                     signatures. It still never cosigns two inconsistent
                     checkpoints of one origin, but anyone who can reach it
                     can open the record of a new origin first, with a tree
                     of their choosing, and its cosignatures then say nothing
                     about who signed the checkpoint: verify the log's own
                     signature as well, and prefer --log-key outside tests.
  --help             This text.

HTTP endpoints (plain HTTP; put a TLS proxy in front if needed):
  POST /add-checkpoint
      C2SP tlog-witness add-checkpoint. Body: "old <size>\n", the
      consistency proof (one base64 hash per line), an empty line, the
      signed checkpoint. 200: the cosignature line. 400 malformed, 403 bad
      log signature, 404 unknown log, 409 the old size is not the size it
      holds (body "<size>\n", Content-Type text/x.tlog.size), 422 the
      proof does not verify or the checkpoint forks the one it holds.
  GET /<lowercase hex SHA-256 of the origin>/checkpoint
      The latest checkpoint it cosigned for that log, with the log
      signature(s) it kept and its cosignature; 404 if none.
Request bodies are limited to 64 KiB.
)");
}

}  // namespace caregate::witness
