// caregate.v1.ConsentService on the gRPC callback API: translates protos,
// admits callers, and hands changes to the Ledger. Reads are served from the
// in-memory ConsentIndex.
//
// Thread-safe; the referenced objects must outlive the service.
#ifndef CAREGATE_SERVICES_CONSENT_CONSENT_SERVICE_H_
#define CAREGATE_SERVICES_CONSENT_CONSENT_SERVICE_H_

#include "caregate/v1/consent_service.grpc.pb.h"
#include "services/common/clock.h"
#include "services/ledger/ledger.h"
#include "services/policy/consent_index.h"
#include "services/rpc/call_admission.h"

namespace caregate {

class ConsentService final : public v1::ConsentService::CallbackService {
 public:
  ConsentService(CallAdmission* admission, Ledger* ledger, ConsentIndex* index,
                 const Clock* clock)
      : admission_(admission), ledger_(ledger), index_(index), clock_(clock) {}

  grpc::ServerUnaryReactor* RecordConsent(grpc::CallbackServerContext* context,
                                          const v1::RecordConsentRequest* request,
                                          v1::Consent* response) override;
  grpc::ServerUnaryReactor* RevokeConsent(grpc::CallbackServerContext* context,
                                          const v1::RevokeConsentRequest* request,
                                          v1::Consent* response) override;
  grpc::ServerUnaryReactor* GetConsent(grpc::CallbackServerContext* context,
                                       const v1::GetConsentRequest* request,
                                       v1::Consent* response) override;
  grpc::ServerUnaryReactor* ListConsents(
      grpc::CallbackServerContext* context,
      const v1::ListConsentsRequest* request,
      v1::ListConsentsResponse* response) override;

 private:
  // The practice whose consents the caller may read: its own for THERAPIST,
  // the requested one for COMPLIANCE.
  static std::string ReadablePractice(const PrincipalInfo& principal,
                                      const std::string& requested);

  CallAdmission* const admission_;
  Ledger* const ledger_;
  ConsentIndex* const index_;
  const Clock* const clock_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CONSENT_CONSENT_SERVICE_H_
