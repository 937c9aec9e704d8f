// caregate.v1.ConsentService on the gRPC callback API: translates protos and
// hands changes to the Ledger; GetConsent and ListConsents read whole
// consents from the store on the executor (the in-memory ConsentIndex keeps
// only the terms decisions read), so they also see what other replicas
// committed.
// Every RPC is served from its raw request bytes (services/rpc/raw_call.h):
// admitted, parsed, validated, then handed to gRPC-free code.
//
// Thread-safe; the referenced objects must outlive the service.
#ifndef CAREGATE_SERVICES_CONSENT_CONSENT_SERVICE_H_
#define CAREGATE_SERVICES_CONSENT_CONSENT_SERVICE_H_

#include <memory>
#include <string>

#include "caregate/v1/consent_service.grpc.pb.h"
#include "services/common/clock.h"
#include "services/crypto/data_cipher.h"
#include "services/crypto/keyed_digest.h"
#include "services/ledger/ledger.h"
#include "services/policy/consent_index.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/executor.h"
#include "services/rpc/unary_call.h"
#include "services/store/store.h"

namespace caregate {

using ConsentServiceBase =
    v1::ConsentService::WithRawCallbackMethod_RecordConsent<
        v1::ConsentService::WithRawCallbackMethod_RevokeConsent<
            v1::ConsentService::WithRawCallbackMethod_GetConsent<
                v1::ConsentService::WithRawCallbackMethod_ListConsents<
                    v1::ConsentService::Service>>>>;

class ConsentService final : public ConsentServiceBase {
 public:
  // `cipher` seals the consents' patient-identifying text for the store and
  // opens it for reads; `digester` fingerprints requests (a reused request id
  // with different content is ALREADY_EXISTS); `store` is read on
  // `executor` (never on a gRPC thread).
  ConsentService(CallAdmission* admission, Ledger* ledger, ConsentIndex* index,
                 Store* store, Executor* executor, const Clock* clock,
                 const DataCipher* cipher, const KeyedDigest* digester)
      : admission_(admission),
        ledger_(ledger),
        index_(index),
        store_(store),
        executor_(executor),
        clock_(clock),
        cipher_(cipher),
        digester_(digester) {}

  grpc::ServerUnaryReactor* RecordConsent(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RevokeConsent(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetConsent(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListConsents(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;

 private:
  using Call = std::shared_ptr<UnaryCall>;
  void Record(Call call, const v1::RecordConsentRequest& request,
              v1::Consent* response);
  void Revoke(Call call, const v1::RevokeConsentRequest& request,
              v1::Consent* response);
  void Get(Call call, const v1::GetConsentRequest& request,
           v1::Consent* response);
  void List(Call call, const v1::ListConsentsRequest& request,
            v1::ListConsentsResponse* response);
  // Answer from the store, on the executor.
  void AnswerGet(Call call, const v1::GetConsentRequest& request,
                 v1::Consent* response);
  void AnswerList(Call call, const v1::ListConsentsRequest& request,
                  v1::ListConsentsResponse* response);

  // The practice whose consents the caller may read: its own for THERAPIST,
  // the requested one for COMPLIANCE.
  static std::string ReadablePractice(const PrincipalInfo& principal,
                                      const std::string& requested);

  CallAdmission* const admission_;
  Ledger* const ledger_;
  ConsentIndex* const index_;
  Store* const store_;
  Executor* const executor_;
  const Clock* const clock_;
  const DataCipher* const cipher_;
  const KeyedDigest* const digester_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CONSENT_CONSENT_SERVICE_H_
