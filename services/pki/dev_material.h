// The contents of a dev setup, made in memory: the pieces of RunDevInit
// (dev_pki.h) that involve no file system. Pure functions; thread-safe.
#ifndef CAREGATE_SERVICES_PKI_DEV_MATERIAL_H_
#define CAREGATE_SERVICES_PKI_DEV_MATERIAL_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/pki/dev_ca.h"
#include "services/pki/sample_config.h"

namespace caregate::pki {

// A file to write.
struct PlannedFile {
  std::string path;  // Relative to the setup directory.
  std::string contents;
  mode_t mode;
  std::string description;
};

// The server certificate's SANs for a gateway listening on `listen`
// ("host:port", "[v6]:port"): DNS:localhost, IP:127.0.0.1, and the host
// when it is another name or a specific address. INVALID_ARGUMENT naming
// the problem when `listen` is malformed.
absl::StatusOr<std::vector<SubjectAltName>> ServerSubjectAltNames(
    std::string_view listen);

// The SANs of pki/receiver.crt: DNS:localhost, IP:127.0.0.1 and the host of
// every push endpoint of `options`. INVALID_ARGUMENT naming the clinic when
// an endpoint is neither HOST:PORT nor an https URL with a host.
absl::StatusOr<std::vector<SubjectAltName>> ReceiverSubjectAltNames(
    const DevInitOptions& options);

// Every file of the setup for `options`, generating fresh keys. Expects
// options that ValidateDevInitOptions accepted.
absl::StatusOr<std::vector<PlannedFile>> BuildDevFiles(
    const DevInitOptions& options);

}  // namespace caregate::pki

#endif  // CAREGATE_SERVICES_PKI_DEV_MATERIAL_H_
