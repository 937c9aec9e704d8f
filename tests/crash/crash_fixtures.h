// Requests of the crash-safety driver for the dev sample directory: who acts,
// which patients exist, and valid consents and disclosures between them.
// Stateless and thread-safe. Free text is synthetic (no patient data).
#ifndef CAREGATE_TESTS_CRASH_CRASH_FIXTURES_H_
#define CAREGATE_TESTS_CRASH_CRASH_FIXTURES_H_

#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"

namespace caregate::crash {

// A partner clinic that receives disclosures, with its providers and its
// inbox principal.
struct Clinic {
  std::string org_id;
  std::vector<std::string> provider_ids;
  std::string inbox_principal;
};

// The two therapists that send (one per sample practice).
const std::vector<std::string>& Therapists();
// The two clinics that receive: core-pelvic-pt and lakeside-obgyn.
const std::vector<Clinic>& Clinics();
inline constexpr char kCompliance[] = "compliance-officer";

// Patients whose consents are recorded once and never revoked, so sends
// about them are always permitted.
std::vector<std::string> StablePatients();
// Patients of one cycle; their consents may be revoked during the cycle.
std::vector<std::string> CyclePatients(int cycle);

// A complete written consent of `patient_id` for every provider of `org_id`:
// the categories of kAllowed, TRAUMA_HISTORY withheld; valid for a year.
v1::Consent ConsentFor(const std::string& patient_id, const std::string& org_id,
                       absl::Time now);

// A disclosure of `patient_id` to one provider of `clinic` with 1-3 allowed
// sections; sometimes an extra withheld section with redact_uncovered, so
// the outcome is PERMITTED_WITH_REDACTIONS.
v1::Disclosure RandomDisclosure(const std::string& patient_id,
                                const Clinic& clinic, std::mt19937_64& rng);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CRASH_FIXTURES_H_
