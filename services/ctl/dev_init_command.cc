#include "services/ctl/dev_init_command.h"

#include <algorithm>
#include <filesystem>

#include "services/ctl/flags.h"
#include "services/pki/dev_pki.h"

namespace caregate::ctl {

const std::string_view kDevInitSummary =
    "write a local CA, certificates, keys and config for development";

const std::string_view kDevInitUsage =
    "usage: caregatectl dev-init DIR [--listen HOST:PORT] "
    "[--trust-domain DOMAIN]\n"
    "                            [--postgres CONNINFO]\n"
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
    "  --postgres CONNINFO    keep the data in PostgreSQL (a libpq connection\n"
    "                         string; several replicas may share it) instead\n"
    "                         of SQLite in DIR/data\n"
    "\n"
    "example:\n"
    "  caregatectl dev-init ./caregate-dev\n"
    "  caregated --config ./caregate-dev/caregate.textproto\n";

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

}  // namespace

int RunDevInitCommand(const std::vector<std::string>& args, CommandIo io) {
  pki::DevInitOptions options;
  FlagSet flags;
  flags.AddString("listen", &options.listen);
  flags.AddString("trust-domain", &options.trust_domain);
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
