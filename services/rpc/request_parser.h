// Parses a request message from the bytes a client sent, so that a request
// protobuf cannot parse answers INVALID_ARGUMENT naming the bad field instead
// of gRPC's bare UNIMPLEMENTED.
//
// Thread-safe (no state). Messages name fields by their proto path from the
// request ("disclosure.sections[1].body: not valid UTF-8") and never echo the
// bytes: a request is untrusted and may hold patient data.
#ifndef CAREGATE_SERVICES_RPC_REQUEST_PARSER_H_
#define CAREGATE_SERVICES_RPC_REQUEST_PARSER_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace caregate {

// Parses `bytes` into `message` (cleared first). OK, or INVALID_ARGUMENT:
// "<field path>: not valid UTF-8" for a string field holding invalid UTF-8,
// "<field path>: malformed" for a sub-message that cannot be decoded, or
// "request: not a valid <full message name>" when the wire format itself is
// broken.
absl::Status ParseRequest(const grpc::ByteBuffer& bytes,
                          google::protobuf::Message* message);

// The path of the first string field of `type` (walking sub-messages) whose
// value in `wire` is not valid UTF-8, or the first sub-message that cannot be
// decoded; std::nullopt when neither is found. Exposed for tests.
std::optional<std::string> FindUnparsableField(
    const google::protobuf::Descriptor& type, std::string_view wire);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_REQUEST_PARSER_H_
