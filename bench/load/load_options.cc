#include "bench/load/load_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/absl_compat.h"

namespace caregate::bench {
namespace {

absl::Status Invalid(std::string_view flag, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", std::string(flag), ": ", std::string(what)));
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  // 127.a.b.c, each a decimal octet.
  std::vector<absl::string_view> parts = absl::StrSplit(AsAbsl(host), '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  for (absl::string_view part : parts) {
    int octet = 0;
    if (part.empty() || part.size() > 3 || !absl::SimpleAtoi(part, &octet) ||
        octet < 0 || octet > 255) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view ScenarioName(Scenario scenario) {
  switch (scenario) {
    case Scenario::kHealth:
      return "health";
    case Scenario::kPayload:
      return "payload";
    case Scenario::kCheck:
      return "check";
    case Scenario::kSend:
      return "send";
    case Scenario::kMixed:
      return "mixed";
  }
  return "unknown";
}

absl::StatusOr<std::vector<Scenario>> ParseScenarios(std::string_view list) {
  std::vector<Scenario> out;
  for (absl::string_view name : absl::StrSplit(AsAbsl(list), ',')) {
    name = absl::StripAsciiWhitespace(name);
    bool known = false;
    for (Scenario s : {Scenario::kHealth, Scenario::kPayload, Scenario::kCheck,
                       Scenario::kSend, Scenario::kMixed}) {
      if (name == AsAbsl(ScenarioName(s))) {
        out.push_back(s);
        known = true;
      }
    }
    if (!known) {
      return Invalid(
          "scenarios",
          absl::StrCat("unknown scenario \"", name,
                       "\" (want health, payload, check, send, mixed)"));
    }
  }
  if (out.empty()) return Invalid("scenarios", "at least one required");
  return out;
}

bool IsLoopbackTarget(std::string_view host_port) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos) return false;
  int port = 0;
  const std::string_view port_text = host_port.substr(colon + 1);
  if (!absl::SimpleAtoi(AsAbsl(port_text), &port) || port < 1 || port > 65535) {
    return false;
  }
  return IsLoopbackHost(host_port.substr(0, colon));
}

std::vector<std::string> ParseGateways(std::string_view list) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(AsAbsl(list), ',')) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

absl::StatusOr<std::vector<int>> ParseGatewayPids(std::string_view list) {
  std::vector<int> out;
  if (list.empty()) return out;
  for (absl::string_view part : absl::StrSplit(AsAbsl(list), ',')) {
    int pid = 0;
    if (!absl::SimpleAtoi(part, &pid) || pid <= 0) {
      return Invalid("gateway_pid",
                     absl::StrCat("want process ids separated by commas, got \"",
                                  part, "\""));
    }
    out.push_back(pid);
  }
  return out;
}

absl::Status ValidateLoadOptions(const LoadOptions& o) {
  if (o.gateways.empty() ||
      static_cast<int>(o.gateways.size()) > kMaxGateways) {
    return Invalid("gateway", absl::StrCat("want 1..", kMaxGateways,
                                           " addresses separated by commas"));
  }
  for (const std::string& gateway : o.gateways) {
    if (!IsLoopbackTarget(gateway)) {
      return Invalid("gateway",
                     absl::StrCat("want a loopback HOST:PORT (127.0.0.1, "
                                  "localhost or [::1]), got \"",
                                  gateway,
                                  "\"; caregate-bench never loads a remote "
                                  "host"));
    }
  }
  if (o.profile.empty()) {
    return Invalid("profile", "required, e.g. DIR/pki/dr-rivera");
  }
  if (o.scenarios.empty()) return Invalid("scenarios", "at least one required");
  if (o.concurrency < 1 || o.concurrency > kMaxConcurrency) {
    return Invalid("concurrency", absl::StrCat("want 1..", kMaxConcurrency));
  }
  if (!(o.rate >= 0 && o.rate <= kMaxRate)) {
    return Invalid("rate", "want 0 (closed loop) to 1000000 calls/s");
  }
  if (o.connections < 1 || o.connections > kMaxConnections) {
    return Invalid("connections", absl::StrCat("want 1..", kMaxConnections));
  }
  if (o.duration <= absl::ZeroDuration() || o.duration > kMaxDuration) {
    return Invalid("duration", "want more than 0 and at most 10m");
  }
  if (o.warmup < absl::ZeroDuration() || o.warmup > kMaxWarmup) {
    return Invalid("warmup", "want 0 to 1m");
  }
  if (o.call_timeout <= absl::ZeroDuration() ||
      o.call_timeout > absl::Minutes(1)) {
    return Invalid("call_timeout", "want more than 0 and at most 1m");
  }
  if (o.consents < 0 || o.consents > kMaxConsents) {
    return Invalid("consents", absl::StrCat("want 0..", kMaxConsents));
  }
  if (o.preloaded < 0 || o.preloaded > kMaxPreloaded) {
    return Invalid("preloaded", absl::StrCat("want 0..", kMaxPreloaded));
  }
  if (static_cast<int>(o.gateway_pids.size()) > kMaxGateways) {
    return Invalid("gateway_pid",
                   absl::StrCat("want at most ", kMaxGateways, " process ids"));
  }
  return absl::OkStatus();
}

ProfileFiles ProfilePaths(std::string_view profile) {
  ProfileFiles files;
  files.cert = absl::StrCat(std::string(profile), ".crt");
  files.key = absl::StrCat(std::string(profile), ".key");
  const size_t slash = profile.rfind('/');
  const std::string dir = slash == std::string_view::npos
                              ? "."
                              : std::string(profile.substr(0, slash));
  files.ca = absl::StrCat(dir, "/ca.crt");
  return files;
}

}  // namespace caregate::bench
