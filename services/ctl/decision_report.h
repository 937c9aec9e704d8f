// The readable report of a disclosure decision for `check` and `send`: the
// outcome, per section whether it is covered (by which consent) or why not,
// and which consent the patient would have to sign for the rest. Names
// categories, reasons, organizations and ids; never a title or a body.
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_CTL_DECISION_REPORT_H_
#define CAREGATE_SERVICES_CTL_DECISION_REPORT_H_

#include <ostream>
#include <string>

#include "caregate/v1/types.pb.h"

namespace caregate::ctl {

// What a reason means for this recipient, e.g. "no consent of this patient
// names riverside-urology".
std::string DescribeReason(v1::DenialReason reason,
                           const v1::Disclosure& disclosure);

// Prints the report of `decision` on `disclosure`. `dry_run` words it as
// what would happen (check) instead of what happened (send).
void PrintDecisionReport(const v1::Decision& decision,
                         const v1::Disclosure& disclosure, bool dry_run,
                         std::ostream& os);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_DECISION_REPORT_H_
