#include "services/pki/dev_pki.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/pki/dev_material.h"
#include "services/pki/new_file_set.h"

namespace caregate::pki {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kSetupDirMode = 0755;
constexpr mode_t kSecretDirMode = 0700;

// SPIFFE trust domain names: lowercase letters, digits, '.', '-' and '_'.
bool IsTrustDomain(std::string_view td) {
  return !td.empty() && td.size() <= 255 &&
         std::all_of(td.begin(), td.end(), [](char c) {
           return absl::ascii_islower(c) || absl::ascii_isdigit(c) ||
                  c == '.' || c == '-' || c == '_';
         });
}

// Principal ids become file names under pki/.
bool IsSafeFileStem(std::string_view id) {
  return !id.empty() && id.front() != '.' && id != "ca" && id != "server" &&
         id != kDeliveryIdentity && id != "receiver" &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_';
         });
}

// OK when `dir` is missing or an empty directory.
absl::Status CheckTargetDir(const fs::path& dir) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(dir, ec);
  if (status.type() == fs::file_type::not_found) return absl::OkStatus();
  if (ec) return ErrnoStatus(ec.value(), "stat", dir);
  if (!fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir.string(), " exists and is not a directory"));
  }
  for (std::string_view name : {kConfigFileName, kPkiDir, kKeysDir}) {
    fs::path existing = dir / name;
    if (fs::symlink_status(existing, ec).type() != fs::file_type::not_found) {
      return absl::AlreadyExistsError(
          absl::StrCat(existing.string(),
                       " already exists; dev-init never overwrites a setup"));
    }
  }
  if (!fs::is_empty(dir, ec) || ec) {
    return absl::AlreadyExistsError(
        absl::StrCat(dir.string(),
                     " is not empty; dev-init needs a new or empty directory"));
  }
  return absl::OkStatus();
}

// Each push endpoint names a partner clinic of the sample directory and an
// address its certificate can name.
absl::Status ValidatePushEndpoints(const DevInitOptions& options,
                                   const config::v1::GatewayConfig& config) {
  for (const auto& endpoint : options.push_endpoints) {
    const std::string& org_id = endpoint.first;
    const auto& orgs = config.directory().organizations();
    const bool clinic =
        std::any_of(orgs.begin(), orgs.end(), [&](const auto& org) {
          return org.org_id() == org_id &&
                 org.kind() == v1::ORGANIZATION_KIND_PARTNER_CLINIC;
        });
    if (!clinic) {
      return absl::InvalidArgumentError(
          absl::StrCat("push endpoint of \"", org_id,
                       "\": not a partner clinic of the sample directory"));
    }
  }
  return ReceiverSubjectAltNames(options).status();
}

}  // namespace

absl::Status ValidateDevInitOptions(const DevInitOptions& options) {
  if (options.dir.empty()) {
    return absl::InvalidArgumentError("dev-init needs a directory");
  }
  if (!IsTrustDomain(options.trust_domain)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trust domain \"", options.trust_domain,
        "\": use lowercase letters, digits, '.', '-' and '_' only"));
  }
  CG_RETURN_IF_ERROR(ServerSubjectAltNames(options.listen).status());
  const config::v1::GatewayConfig config = SampleGatewayConfig(options);
  CG_RETURN_IF_ERROR(ValidatePushEndpoints(options, config));
  for (const auto& principal : config.principals()) {
    if (!IsSafeFileStem(principal.principal_id())) {
      return absl::InvalidArgumentError(
          absl::StrCat("principal id \"", principal.principal_id(),
                       "\" cannot name a certificate file"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<DevInitFile>> RunDevInit(
    const DevInitOptions& options) {
  CG_RETURN_IF_ERROR(ValidateDevInitOptions(options));
  const fs::path dir(options.dir);
  CG_RETURN_IF_ERROR(CheckTargetDir(dir));
  CG_ASSIGN_OR_RETURN(std::vector<PlannedFile> planned, BuildDevFiles(options));

  NewFileSet files;
  CG_RETURN_IF_ERROR(files.MakeDirs(dir, kSetupDirMode));
  CG_RETURN_IF_ERROR(files.MakeDirs(dir / kPkiDir, kSecretDirMode));
  CG_RETURN_IF_ERROR(files.MakeDirs(dir / kKeysDir, kSecretDirMode));
  std::vector<DevInitFile> written;
  for (const PlannedFile& file : planned) {
    CG_RETURN_IF_ERROR(
        files.WriteFile(dir / file.path, file.contents, file.mode));
    written.push_back({file.path, file.description});
  }
  files.Commit();
  return written;
}

}  // namespace caregate::pki
