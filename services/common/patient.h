// A patient, as the gateway names one everywhere: the pair (practice
// organization, the practice's own patient id). Two practices may both have a
// "p-1001"; they are two people, so a patient id alone never names anyone.
//
// A plain value; copyable; no synchronization.
#ifndef CAREGATE_SERVICES_COMMON_PATIENT_H_
#define CAREGATE_SERVICES_COMMON_PATIENT_H_

#include <string>
#include <tuple>

namespace caregate {

struct PatientRef {
  std::string practice_org_id;
  std::string patient_id;

  bool empty() const { return patient_id.empty(); }
  friend bool operator==(const PatientRef& a, const PatientRef& b) {
    return std::tie(a.practice_org_id, a.patient_id) ==
           std::tie(b.practice_org_id, b.patient_id);
  }
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_COMMON_PATIENT_H_
