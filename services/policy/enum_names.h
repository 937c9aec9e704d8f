// Short, PHI-free names of the policy enums for explanations, logs and audit
// details: the generated enum name without its prefix, e.g.
// ShortName(v1::CATEGORY_SEXUAL_HISTORY) == "SEXUAL_HISTORY".
//
// Thread-safe. The returned views point to static storage and stay valid for
// the life of the process. A value the enum does not define yields "UNKNOWN".
#ifndef CAREGATE_SERVICES_POLICY_ENUM_NAMES_H_
#define CAREGATE_SERVICES_POLICY_ENUM_NAMES_H_

#include <string_view>

#include "caregate/v1/types.pb.h"

namespace caregate {

std::string_view ShortName(v1::Category category);
std::string_view ShortName(v1::Purpose purpose);
std::string_view ShortName(v1::DenialReason reason);
std::string_view ShortName(v1::DecisionOutcome outcome);
std::string_view ShortName(v1::Specialty specialty);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_POLICY_ENUM_NAMES_H_
