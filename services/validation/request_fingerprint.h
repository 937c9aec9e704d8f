// The canonical bytes of what a client asked for, so a repeated request id
// can be told apart from a retry: the same principal and request id with the
// same bytes is a retry (the first result again); with different bytes it is
// ALREADY_EXISTS. The gateway stores only a keyed digest of these bytes
// (services/crypto/keyed_digest.h), never the bytes.
//
// Equal requests give equal bytes: repeated enums are taken as sets (order
// and duplicates do not matter, as validation collapses them) and the
// document hash is lowercased; fields the gateway ignores (output-only
// consent fields) are left out. Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_VALIDATION_REQUEST_FINGERPRINT_H_
#define CAREGATE_SERVICES_VALIDATION_REQUEST_FINGERPRINT_H_

#include <string>

#include "caregate/v1/types.pb.h"

namespace caregate {

// RecordConsent's consent form.
std::string ConsentRequestBytes(const v1::Consent& consent);

// SendDisclosure's disclosure.
std::string DisclosureRequestBytes(const v1::Disclosure& disclosure);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_VALIDATION_REQUEST_FINGERPRINT_H_
