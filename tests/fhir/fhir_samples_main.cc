// fhir_samples_writer OUT_DIR: writes a sample of every kind of FHIR
// resource caregate produces, for tests/fhir/validate_fhir.sh:
//   bundle-<message id>.json   $process-message bundles (full, redacted,
//   sparse) audit-events.ndjson        one AuditEvent per audit action
//   consent-<shape>.json       Consents (organization, provider with withheld
//                              categories, specialty, revoked)
// Test-only; exits 1 with a message when OUT_DIR cannot be written.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "services/crypto/ed25519.h"
#include "services/fhir/audit_event_export.h"
#include "services/fhir/consent_export.h"
#include "services/fhir/message_bundle.h"
#include "tests/fhir/fhir_samples.h"
#include "tests/testing/test_keys.h"

namespace caregate::fhir {
namespace {

bool WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "fhir_samples_writer: cannot write " << path << "\n";
    return false;
  }
  return true;
}

std::string Pretty(const Json& j) {
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

int Run(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "fhir_samples_writer: cannot create " << dir << ": "
              << ec.message() << "\n";
    return 1;
  }
  const caregate::testing::PemKeyPair keys =
      caregate::testing::NewEd25519KeyPair();
  absl::StatusOr<std::unique_ptr<Ed25519Signer>> signer =
      Ed25519Signer::FromPem(keys.private_pem);
  if (!signer.ok()) {
    std::cerr << "fhir_samples_writer: " << signer.status() << "\n";
    return 1;
  }
  int files = 0;
  for (const v1::Message& m : samples::SampleMessages(**signer)) {
    absl::StatusOr<Json> bundle =
        BuildMessageBundle(m, samples::SampleBundleContext());
    if (!bundle.ok()) {
      std::cerr << "fhir_samples_writer: " << bundle.status() << "\n";
      return 1;
    }
    if (!WriteFile(dir / ("bundle-" + m.message_id() + ".json"),
                   Pretty(*bundle))) {
      return 1;
    }
    ++files;
  }
  std::string ndjson;
  for (const v1::AuditEvent& e : samples::SampleAuditEvents()) {
    AppendAuditEventNdjson(e, samples::SampleAuditContext(), &ndjson);
  }
  if (!WriteFile(dir / "audit-events.ndjson", ndjson)) return 1;
  ++files;
  for (const samples::ConsentShape shape : samples::kAllConsentShapes) {
    const Json consent = ConsentToFhir(samples::SampleConsent(shape));
    if (!WriteFile(dir / (std::string("consent-") + samples::ShapeName(shape) +
                          ".json"),
                   Pretty(consent))) {
      return 1;
    }
    ++files;
  }
  std::cout << "fhir_samples_writer: wrote " << files << " files to " << dir
            << "\n";
  return 0;
}

}  // namespace
}  // namespace caregate::fhir

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fhir_samples_writer OUT_DIR\n";
    return 2;
  }
  return caregate::fhir::Run(argv[1]);
}
