// A liveness probe of a TLS server, as the gateway's watchdog uses it on its
// own listening address: a TCP connect, a ClientHello (built by OpenSSL,
// offering ALPN "h2", no client certificate) and the wait for the server's
// ServerHello. That answer proves the server still accepts connections and
// its event loop still runs. The connection is then closed without finishing
// the handshake, so the server only sees a peer leave (gRPC logs that at
// debug level). Nothing is verified: this checks liveness, not identity.
//
// Thread-safe; blocks the calling thread for at most `timeout`. Uses one
// socket for the duration of the call.
#ifndef CAREGATE_SERVICES_GATEWAY_TLS_PROBE_H_
#define CAREGATE_SERVICES_GATEWAY_TLS_PROBE_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace caregate {

// OK once a ServerHello arrived from `address` (host:port). Errors name the
// address: INVALID_ARGUMENT for a malformed address; UNAVAILABLE when the
// connection is refused or closed before the answer; DEADLINE_EXCEEDED when
// no answer came within `timeout`; FAILED_PRECONDITION when the answer is not
// a TLS ServerHello; INTERNAL when a socket or OpenSSL call fails.
absl::Status ProbeTlsServer(std::string_view address, absl::Duration timeout);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_TLS_PROBE_H_
