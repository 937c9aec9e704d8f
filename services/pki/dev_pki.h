// `caregatectl dev-init`: writes a complete local development setup into a
// new or empty directory — a throwaway CA, the server certificate, a client
// certificate per sample principal, the push delivery certificates, the
// audit signing key pair, the data key and the annotated gateway config (see
// docs API.md "caregatectl dev-init").
//
// Layout under DIR: caregate.textproto, pki/ca.crt, pki/server.{crt,key},
// pki/gateway-delivery.{crt,key} (the gateway's client certificate for push
// delivery), pki/receiver.{crt,key} (the server certificate of a local push
// endpoint such as caregate-receiver), pki/<principal_id>.{crt,key},
// keys/audit-signing.{key,pub}.pem, keys/data.key, keys/content-digest.key.
// Private keys are mode 0600,
// certificates 0644, pki/ and keys/ 0700.
//
// All keys and certificates are made in memory first, then written; files
// are never overwritten, and a failure removes whatever was written. Thread-
// safe (no shared state). Errors: INVALID_ARGUMENT for bad options,
// ALREADY_EXISTS when DIR already holds a setup or anything else,
// FAILED_PRECONDITION when DIR is not a directory, file-system errors as
// mapped by NewFileSet, INTERNAL for an OpenSSL failure.
#ifndef CAREGATE_SERVICES_PKI_DEV_PKI_H_
#define CAREGATE_SERVICES_PKI_DEV_PKI_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/pki/sample_config.h"

namespace caregate::pki {

// One file that dev-init wrote.
struct DevInitFile {
  // Relative to DevInitOptions::dir, e.g. "pki/ca.crt".
  std::string path;
  // What it is, for the command's output; no secrets.
  std::string description;
};

// Writes the setup; returns the files written, in order.
absl::StatusOr<std::vector<DevInitFile>> RunDevInit(
    const DevInitOptions& options);

// INVALID_ARGUMENT naming the problem when `options` cannot be used.
absl::Status ValidateDevInitOptions(const DevInitOptions& options);

// The annotated caregate.textproto that RunDevInit writes for `options`.
std::string SampleConfigText(const DevInitOptions& options);

}  // namespace caregate::pki

#endif  // CAREGATE_SERVICES_PKI_DEV_PKI_H_
