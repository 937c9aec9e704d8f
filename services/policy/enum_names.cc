#include "services/policy/enum_names.h"

#include <string>
#include <vector>

namespace caregate {
namespace {

constexpr std::string_view kUnknown = "UNKNOWN";

// Per enum: its largest value, the prefix of its generated names, and the
// generated name function.
template <typename Enum>
struct EnumTraits;

#define CAREGATE_ENUM_TRAITS(Enum, prefix)              \
  template <>                                           \
  struct EnumTraits<v1::Enum> {                         \
    static constexpr int kMax = v1::Enum##_MAX;         \
    static constexpr std::string_view kPrefix = prefix; \
    static const std::string& Name(v1::Enum value) {    \
      return v1::Enum##_Name(value);                    \
    }                                                   \
  }

CAREGATE_ENUM_TRAITS(Category, "CATEGORY_");
CAREGATE_ENUM_TRAITS(Purpose, "PURPOSE_");
CAREGATE_ENUM_TRAITS(DenialReason, "DENIAL_REASON_");
CAREGATE_ENUM_TRAITS(DecisionOutcome, "DECISION_OUTCOME_");
CAREGATE_ENUM_TRAITS(Specialty, "SPECIALTY_");

#undef CAREGATE_ENUM_TRAITS

// The short names of values 0..kMax; a gap in the enum gets "UNKNOWN".
template <typename Enum>
std::vector<std::string> BuildTable() {
  using Traits = EnumTraits<Enum>;
  std::vector<std::string> table;
  table.reserve(Traits::kMax + 1);
  for (int v = 0; v <= Traits::kMax; ++v) {
    std::string_view name = Traits::Name(static_cast<Enum>(v));
    if (name.empty()) {
      name = kUnknown;
    } else if (name.starts_with(Traits::kPrefix)) {
      name.remove_prefix(Traits::kPrefix.size());
    }
    table.emplace_back(name);
  }
  return table;
}

template <typename Enum>
std::string_view ShortNameOf(Enum value) {
  // Built once, thread-safe, never destroyed.
  static const auto* const table =
      new std::vector<std::string>(BuildTable<Enum>());
  const int v = static_cast<int>(value);
  if (v < 0 || static_cast<size_t>(v) >= table->size()) return kUnknown;
  return (*table)[v];
}

}  // namespace

std::string_view ShortName(v1::Category category) {
  return ShortNameOf(category);
}
std::string_view ShortName(v1::Purpose purpose) { return ShortNameOf(purpose); }
std::string_view ShortName(v1::DenialReason reason) {
  return ShortNameOf(reason);
}
std::string_view ShortName(v1::DecisionOutcome outcome) {
  return ShortNameOf(outcome);
}
std::string_view ShortName(v1::Specialty specialty) {
  return ShortNameOf(specialty);
}

}  // namespace caregate
