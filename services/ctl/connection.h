// How caregatectl reaches the gateway: the connection flags every networked
// command shares, their resolution into an mTLS channel, and one-line
// descriptions of failed calls.
//
// Credentials come from --cert/--key/--ca, or from a dev-init profile:
// `--profile DIR/pki/<principal>` (or the CAREGATE_PROFILE environment
// variable) means DIR/pki/<principal>.crt and .key, the CA DIR/pki/ca.crt,
// the gateway address of DIR/caregate.textproto and the published key
// DIR/keys/audit-signing.pub.pem. Explicit flags override the profile. The
// address is, first found: --gateway, CAREGATE_GATEWAY, the profile's
// config, 127.0.0.1:7443.
//
// Thread-compatible. Connect() reads the environment and the files named.
#ifndef CAREGATE_SERVICES_CTL_CONNECTION_H_
#define CAREGATE_SERVICES_CTL_CONNECTION_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "services/ctl/flags.h"

namespace caregate::ctl {

inline constexpr std::string_view kDefaultGateway = "127.0.0.1:7443";
inline constexpr std::string_view kProfileEnv = "CAREGATE_PROFILE";
inline constexpr std::string_view kGatewayEnv = "CAREGATE_GATEWAY";

// The connection flags as given on the command line; empty when not given.
struct ConnectionFlags {
  std::string gateway;
  std::string cert;
  std::string key;
  std::string ca;
  std::string profile;
  std::string timeout;  // per call, e.g. "10s"
};

// Declares --gateway, --cert, --key, --ca, --profile and --timeout.
void AddConnectionFlags(FlagSet& flags, ConnectionFlags* connection);

// The help text of those flags, for usage strings.
extern const std::string_view kConnectionFlagsHelp;

// The usage text of a command that calls the gateway: `head` (usage line,
// description, its own flags), the connection flags, then `examples`.
std::string ClientUsage(std::string_view head, std::string_view examples);

// A resolved connection.
struct Connection {
  std::string target;       // host:port
  std::string profile_dir;  // DIR of the profile, when one was used
  absl::Duration timeout = absl::Seconds(10);
  std::shared_ptr<grpc::Channel> channel;
};

// The profile in use: --profile, else CAREGATE_PROFILE; empty if neither.
std::string EffectiveProfile(const ConnectionFlags& flags);

// DIR of a profile "DIR/pki/<principal>", or empty.
std::string ProfileDir(std::string_view profile);

// The gateway's published key for checking signatures: `pubkey` when given,
// else the profile's DIR/keys/audit-signing.pub.pem; empty when neither.
std::string PublicKeyPath(const ConnectionFlags& flags,
                          const std::string& pubkey);

// Resolves the flags and the environment and creates the channel (it
// connects lazily). INVALID_ARGUMENT for a command-line problem (no
// credentials, a bad --timeout); FAILED_PRECONDITION naming the file for a
// missing or unreadable certificate or key, one that is not PEM, or a key
// that does not match its certificate.
absl::StatusOr<Connection> Connect(const ConnectionFlags& flags);

// A context with the connection's deadline.
std::unique_ptr<grpc::ClientContext> NewContext(const Connection& connection);

// One line describing a failed call, e.g. "cannot reach the gateway at
// 127.0.0.1:7443 (is caregated running?)" or "permission denied: role
// ROLE_CLINIC may not call SendDisclosure".
std::string DescribeRpcError(const grpc::Status& status,
                             const Connection& connection);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_CONNECTION_H_
