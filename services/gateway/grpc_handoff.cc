#include "services/gateway/grpc_handoff.h"

#include <grpc/grpc.h>

#include <utility>

namespace caregate {
namespace {

int ToMillis(absl::Duration d) {
  return static_cast<int>(absl::ToInt64Milliseconds(d));
}

}  // namespace

ConnectionAcceptor::Handler ServeAcceptedConnections(
    grpc::ServerBuilder& builder,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    const NetworkSettings& network) {
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             ToMillis(network.handshake_timeout));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             ToMillis(network.max_connection_idle));
  std::shared_ptr<grpc::experimental::ExternalConnectionAcceptor> grpc =
      builder.experimental().AddExternalConnectionAcceptor(
          grpc::ServerBuilder::experimental_type::ExternalConnectionType::
              FROM_FD,
          std::move(credentials));
  return [grpc](int listen_fd, int fd) {
    grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters
        connection;
    connection.listener_fd = listen_fd;
    connection.fd = fd;
    grpc->HandleNewConnection(&connection);
  };
}

}  // namespace caregate
