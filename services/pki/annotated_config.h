// Writes a configuration message as protobuf text format with a `#` comment
// before each field, so that an operator can read and edit the file.
//
// Every set field is printed; a field's comment (from config_field_notes.h)
// is written before its first occurrence only, so repeated blocks after the
// first stay short. An unset field whose note has an example is shown
// commented out. The output parses back with google::protobuf::TextFormat
// into a message equal to the input. Pure function; thread-safe.
#ifndef CAREGATE_SERVICES_PKI_ANNOTATED_CONFIG_H_
#define CAREGATE_SERVICES_PKI_ANNOTATED_CONFIG_H_

#include <string>
#include <string_view>

#include "google/protobuf/message.h"

namespace caregate::pki {

// `header` (lines separated by '\n', written as `#` comments), a blank line,
// then `config`. A field without a note gets its name as comment.
std::string AnnotatedConfigText(const google::protobuf::Message& config,
                                std::string_view header);

}  // namespace caregate::pki

#endif  // CAREGATE_SERVICES_PKI_ANNOTATED_CONFIG_H_
