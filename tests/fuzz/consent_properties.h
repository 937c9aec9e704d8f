// What an accepted consent form or disclosure must satisfy, as the request
// fuzzer asserts it: the promises of ValidateConsentForRecording
// (services/validation/consent_validation.h) and ValidateDisclosure
// (disclosure_validation.h), restated independently of their code.
//
// Each function traps (CG_FUZZ_CHECK) on the first broken promise.
// Thread-safe.
#ifndef CAREGATE_TESTS_FUZZ_CONSENT_PROPERTIES_H_
#define CAREGATE_TESTS_FUZZ_CONSENT_PROPERTIES_H_

#include "caregate/v1/types.pb.h"
#include "services/policy/consent_record.h"
#include "services/validation/disclosure_validation.h"
#include "tests/fuzz/request_properties.h"

namespace caregate::fuzz {

// `record` was returned by ValidateConsentForRecording(form, ...env).
void CheckRecordedConsent(const v1::Consent& form, const ConsentRecord& record,
                          const RequestEnv& env);

// `validated` was returned by ValidateDisclosure(disclosure, ...env).
void CheckValidatedDisclosure(const v1::Disclosure& disclosure,
                              const ValidatedDisclosure& validated,
                              const RequestEnv& env);

}  // namespace caregate::fuzz

#endif  // CAREGATE_TESTS_FUZZ_CONSENT_PROPERTIES_H_
