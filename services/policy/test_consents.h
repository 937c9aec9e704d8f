// Test helpers: a fluent builder of ConsentRecords and a default request, so
// that policy tests state only what each case is about. Test-only.
#ifndef CAREGATE_SERVICES_POLICY_TEST_CONSENTS_H_
#define CAREGATE_SERVICES_POLICY_TEST_CONSENTS_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "services/policy/consent_record.h"

namespace caregate::testing {

inline constexpr char kPractice[] = "org-practice";
inline constexpr char kPatient[] = "p-1001";
inline constexpr char kClinic[] = "org-clinic";
inline constexpr char kProvider[] = "prov-pt-1";

inline absl::Time TestNow() { return absl::FromUnixSeconds(1'700'000'000); }

template <typename Enum>
EnumSet<Enum> SetOf(std::initializer_list<Enum> members) {
  EnumSet<Enum> set;
  for (Enum e : members) set.Add(e);
  return set;
}

// A consent of kPatient at kPractice for any provider of kClinic, for
// TREATMENT_COORDINATION, valid from 30 days before TestNow() for a year.
class ConsentBuilder {
 public:
  explicit ConsentBuilder(std::string consent_id) {
    r_.consent_id = std::move(consent_id);
    r_.patient_id = kPatient;
    r_.practice_org_id = kPractice;
    r_.grantee.org_id = kClinic;
    r_.purposes.Add(v1::PURPOSE_TREATMENT_COORDINATION);
    r_.valid_from = TestNow() - absl::Hours(24 * 30);
    r_.expires_at = TestNow() + absl::Hours(24 * 365);
    r_.recorded_at = r_.valid_from;
  }
  ConsentBuilder& Categories(std::initializer_list<Category> c) {
    r_.categories = SetOf(c);
    return *this;
  }
  ConsentBuilder& Withheld(std::initializer_list<Category> c) {
    r_.withheld_categories = SetOf(c);
    return *this;
  }
  ConsentBuilder& Purposes(std::initializer_list<Purpose> p) {
    r_.purposes = SetOf(p);
    return *this;
  }
  ConsentBuilder& GranteeOrg(std::string org_id) {
    r_.grantee.org_id = std::move(org_id);
    return *this;
  }
  ConsentBuilder& GranteeProvider(std::string provider_id) {
    r_.grantee.provider_id = std::move(provider_id);
    return *this;
  }
  ConsentBuilder& GranteeSpecialty(Specialty specialty) {
    r_.grantee.specialty = specialty;
    return *this;
  }
  ConsentBuilder& Patient(std::string practice_org_id, std::string patient_id) {
    r_.practice_org_id = std::move(practice_org_id);
    r_.patient_id = std::move(patient_id);
    return *this;
  }
  ConsentBuilder& ValidFrom(absl::Time t) {
    r_.valid_from = t;
    return *this;
  }
  ConsentBuilder& ExpiresAt(absl::Time t) {
    r_.expires_at = t;
    return *this;
  }
  ConsentBuilder& Revoked(absl::Time at = TestNow() - absl::Hours(1)) {
    r_.revocation = Revocation{at, "staff-1", "patient request"};
    r_.revision += 1;
    return *this;
  }
  ConsentRecord Build() const { return r_; }
  operator ConsentRecord() const { return r_; }  // NOLINT: builder

 private:
  ConsentRecord r_;
};

// kPatient at kPractice to provider kProvider (pelvic floor PT) of kClinic,
// for TREATMENT_COORDINATION at TestNow(), no sections.
inline DecisionRequest DefaultRequest() {
  DecisionRequest request;
  request.practice_org_id = kPractice;
  request.patient_id = kPatient;
  request.recipient.org_id = kClinic;
  request.recipient.provider_id = kProvider;
  request.recipient.provider_specialty =
      v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY;
  request.purpose = v1::PURPOSE_TREATMENT_COORDINATION;
  request.now = TestNow();
  return request;
}

}  // namespace caregate::testing

#endif  // CAREGATE_SERVICES_POLICY_TEST_CONSENTS_H_
