#include "bench/load/channels.h"

#include "absl/strings/str_cat.h"
#include "bench/load/load_options.h"
#include "grpc/impl/codegen/grpc_types.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "services/common/file_contents.h"

namespace caregate::bench {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  absl::StatusOr<std::string> contents = ReadFileContents(path);
  if (!contents.ok()) {
    return absl::NotFoundError(absl::StrCat("--profile: cannot read ", path));
  }
  return contents;
}

}  // namespace

absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> OpenChannels(
    const std::string& gateway, const std::string& profile, int count) {
  const ProfileFiles files = ProfilePaths(profile);
  grpc::SslCredentialsOptions ssl;
  absl::StatusOr<std::string> ca = ReadFile(files.ca);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = ReadFile(files.cert);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(files.key);
  if (!key.ok()) return key.status();
  ssl.pem_root_certs = *std::move(ca);
  ssl.pem_cert_chain = *std::move(cert);
  ssl.pem_private_key = *std::move(key);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::SslCredentials(ssl);

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    // Without this, channels with equal arguments share one connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("caregate.bench.connection", i);
    channels.push_back(grpc::CreateCustomChannel(gateway, credentials, args));
  }
  return channels;
}

}  // namespace caregate::bench
