// Public-API calls the replica tests make, over real mTLS gRPC: the dev
// directory's therapist dr-rivera records consents for, and sends notes to,
// the pelvic floor PT clinic (core-pelvic-pt, provider pt-lindqvist).
//
// Thread-safe (each call makes its own context). Each returns the gRPC
// status; the response, when OK, through its out parameter.
#ifndef CAREGATE_TESTS_REPLICAS_REPLICA_CALLS_H_
#define CAREGATE_TESTS_REPLICAS_REPLICA_CALLS_H_

#include <memory>
#include <string>

#include "caregate/v1/audit_service.grpc.pb.h"
#include "caregate/v1/consent_service.grpc.pb.h"
#include "caregate/v1/disclosure_service.grpc.pb.h"
#include "caregate/v1/inbox_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace caregate::replicas {

// A context with a deadline `seconds` from now.
std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 30);

// A valid consent of `patient` for core-pelvic-pt: homework adherence, for
// treatment coordination, expiring in 30 days.
v1::Consent PtConsent(const std::string& patient);

// A note about `patient` to pt-lindqvist: one homework adherence section
// whose body is `body`.
v1::SendDisclosureRequest PtNote(const std::string& patient,
                                 const std::string& request_id,
                                 const std::string& body);

grpc::Status RecordConsent(const std::shared_ptr<grpc::Channel>& channel,
                           const v1::Consent& consent,
                           const std::string& request_id, v1::Consent* out);
grpc::Status RevokeConsent(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& consent_id, v1::Consent* out);
grpc::Status Send(const std::shared_ptr<grpc::Channel>& channel,
                  const v1::SendDisclosureRequest& request,
                  v1::SendDisclosureResponse* out);
grpc::Status VerifyAuditLog(const std::shared_ptr<grpc::Channel>& channel,
                            v1::VerifyAuditLogResponse* out);

// Googletest expectations on the whole stored log of `conninfo`'s database,
// read through the PostgreSQL store: one chain from seq 1, no gap or
// duplicate, ending at the head row. Returns the number of events (0 after a
// failed read).
int64_t ExpectStoredLogIsOneChain(const std::string& conninfo);

}  // namespace caregate::replicas

#endif  // CAREGATE_TESTS_REPLICAS_REPLICA_CALLS_H_
