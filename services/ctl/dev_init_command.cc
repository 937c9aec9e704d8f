#include "services/ctl/dev_init_command.h"

#include <algorithm>
#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "caregate/v1/types.pb.h"
#include "services/ctl/flags.h"
#include "services/pki/dev_pki.h"
#include "services/pki/sample_config.h"

namespace caregate::ctl {

const std::string_view kDevInitSummary =
    "write a local CA, certificates, keys and config for development";

const std::string_view kDevInitUsage =
    "usage: caregatectl dev-init DIR [--listen HOST:PORT] "
    "[--trust-domain DOMAIN]\n"
    "                             [--push ORG=HOST:PORT|ORG=https://URL]...\n"
    "                             [--postgres CONNINFO]\n"
    "\n"
    "Writes a complete local setup into DIR, which must be new or empty:\n"
    "a throwaway CA, the gateway's server certificate, a client certificate\n"
    "for every sample principal, the audit signing key pair, the data key and\n"
    "an annotated caregate.textproto with a sample directory. It never\n"
    "overwrites anything.\n"
    "\n"
    "flags:\n"
    "  --listen HOST:PORT     where the gateway listens "
    "(default 127.0.0.1:7443);\n"
    "                         another host is added to the server "
    "certificate\n"
    "  --trust-domain DOMAIN  SPIFFE trust domain of the client certificates\n"
    "                         (default caregate.local)\n"
    "  --push ORG=HOST:PORT   the partner clinic ORG takes pushed messages at\n"
    "                         a CareReceiver (caregate-receiver) on "
    "HOST:PORT;\n"
    "                         ORG=https://URL names a FHIR server's base URL\n"
    "                         instead. Repeatable, one per clinic; the others\n"
    "                         pull. The endpoint presents pki/receiver.crt.\n"
    "  --postgres CONNINFO    keep the data in PostgreSQL (a libpq connection\n"
    "                         string; several replicas may share it) instead\n"
    "                         of SQLite in DIR/data\n"
    "\n"
    "example:\n"
    "  caregatectl dev-init ./caregate-dev\n"
    "  caregated --config ./caregate-dev/caregate.textproto\n"
    "  caregatectl dev-init ./push-dev --push lakeside-obgyn=127.0.0.1:9443\n";

namespace {

void PrintWritten(const std::filesystem::path& dir,
                  const std::vector<pki::DevInitFile>& files,
                  std::ostream& out) {
  size_t width = 0;
  for (const auto& f : files) width = std::max(width, f.path.size());
  out << "Wrote a caregate development setup in " << dir.string() << ":\n";
  for (const auto& f : files) {
    out << "  " << f.path << std::string(width - f.path.size() + 2, ' ')
        << f.description << "\n";
  }
  out << "\nNext, start the gateway:\n"
      << "  caregated --config " << (dir / pki::kConfigFileName).string()
      << "\n"
      << "Clients trust pki/ca.crt and present pki/<principal_id>.crt with "
         "its .key.\n";
}

// Fills options->push_endpoints from the --push values; the message names
// the flag and the value it refuses.
absl::Status ParsePushFlags(const std::vector<std::string>& values,
                            pki::DevInitOptions* options) {
  for (const std::string& value : values) {
    const size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--push \"", value, "\": expected ORG=HOST:PORT"));
    }
    std::string org_id = value.substr(0, eq);
    if (!options->push_endpoints.emplace(org_id, value.substr(eq + 1)).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--push \"", value, "\": ", org_id, " already has an endpoint"));
    }
    pki::DevInitOptions one;
    one.push_endpoints.emplace(org_id, value.substr(eq + 1));
    const auto config = pki::SampleGatewayConfig(one);
    const auto& orgs = config.directory().organizations();
    const auto org = std::find_if(orgs.begin(), orgs.end(), [&](const auto& o) {
      return o.org_id() == org_id;
    });
    if (org == orgs.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--push \"", value, "\": no organization \"", org_id,
                       "\" in the sample directory"));
    }
    if (org->kind() != v1::ORGANIZATION_KIND_PARTNER_CLINIC) {
      return absl::InvalidArgumentError(
          absl::StrCat("--push \"", value, "\": ", org_id,
                       " is not a partner clinic; only clinics take pushes"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int RunDevInitCommand(const std::vector<std::string>& args, CommandIo io) {
  pki::DevInitOptions options;
  FlagSet flags;
  flags.AddString("listen", &options.listen);
  flags.AddString("trust-domain", &options.trust_domain);
  std::vector<std::string> push_values;
  flags.AddList("push", &push_values);
  flags.AddString("postgres", &options.postgres_conninfo);
  auto positionals = flags.Parse(args);
  if (!positionals.ok()) {
    io.err << "caregatectl dev-init: " << positionals.status().message()
           << "\n";
    return kExitUsage;
  }
  if (positionals->size() != 1) {
    io.err << "caregatectl dev-init: "
           << (positionals->empty() ? "missing DIR" : "expected one DIR")
           << "\n";
    return kExitUsage;
  }
  options.dir = positionals->front();
  if (absl::Status push = ParsePushFlags(push_values, &options); !push.ok()) {
    io.err << "caregatectl dev-init: " << push.message() << "\n";
    return kExitUsage;
  }
  if (absl::Status valid = pki::ValidateDevInitOptions(options); !valid.ok()) {
    io.err << "caregatectl dev-init: " << valid.message() << "\n";
    return kExitUsage;
  }
  auto written = pki::RunDevInit(options);
  if (!written.ok()) {
    io.err << "caregatectl dev-init: " << written.status().message() << "\n";
    return kExitFailed;
  }
  PrintWritten(options.dir, *written, io.out);
  return kExitOk;
}

}  // namespace caregate::ctl
