// Serving a ConnectionAcceptor's connections with a gRPC server.
//
// gRPC 1.51 takes them through ServerBuilder's external connection acceptor
// (FROM_FD): each descriptor goes the way of one accepted by gRPC's own
// listener (the same OnAccept path), with the credentials given here and the
// server's channel arguments, so the TLS handshake and its timeout apply.
//
// Thread-compatible: call while building the server, from one thread.
#ifndef CAREGATE_SERVICES_GATEWAY_GRPC_HANDOFF_H_
#define CAREGATE_SERVICES_GATEWAY_GRPC_HANDOFF_H_

#include <memory>

#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "services/config/gateway_config.h"
#include "services/gateway/connection_acceptor.h"

namespace caregate {

// Makes `builder`'s server serve connections handed to the returned handler
// with `credentials`, closing those that have not finished the TLS handshake
// (and sent HTTP/2 settings) within network.handshake_timeout and those
// without a call for network.max_connection_idle. Start the acceptor with
// the handler only after BuildAndStart(), and stop it before the server's
// Shutdown(): gRPC does not close a descriptor handed to it outside that
// window.
ConnectionAcceptor::Handler ServeAcceptedConnections(
    grpc::ServerBuilder& builder,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    const NetworkSettings& network);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_GRPC_HANDOFF_H_
