// The flags of `caregatectl check` and `send` and their translation into a
// v1.Disclosure. A section is given as --section CATEGORY=FILE[:TITLE]: the
// category (short or full name, any case), the file holding the section's
// text, and an optional title after the first ':' following the file name
// (so FILE itself must not contain ':').
//
// Thread-compatible. BuildDisclosure reads the section files.
#ifndef CAREGATE_SERVICES_CTL_DISCLOSURE_FORM_H_
#define CAREGATE_SERVICES_CTL_DISCLOSURE_FORM_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "caregate/v1/types.pb.h"
#include "services/ctl/flags.h"

namespace caregate::ctl {

struct DisclosureFlags {
  std::string patient;
  std::string to_org;
  std::string to_provider;
  std::string purpose;
  std::vector<std::string> sections;  // CATEGORY=FILE[:TITLE]
  bool redact_uncovered = false;
};

void AddDisclosureFlags(FlagSet& flags, DisclosureFlags* disclosure);

// The help text of those flags.
extern const std::string_view kDisclosureFlagsHelp;

// One parsed --section value.
struct SectionSpec {
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  std::string file;
  std::string title;
};

// INVALID_ARGUMENT for a value not of the form CATEGORY=FILE[:TITLE] or an
// unknown category.
absl::StatusOr<SectionSpec> ParseSectionSpec(std::string_view spec);

// Fills `disclosure`. INVALID_ARGUMENT naming the flag for a missing one
// (--patient, --to-org, --to-provider, --purpose, at least one --section) or
// a bad value; FAILED_PRECONDITION naming the file when a section's file
// cannot be read.
absl::Status BuildDisclosure(const DisclosureFlags& flags,
                             v1::Disclosure* disclosure);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_DISCLOSURE_FORM_H_
