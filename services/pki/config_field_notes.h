// Explanations of the gateway configuration's fields, for annotated config
// files: the comment written before a field and, for some optional fields,
// an example shown commented out when the field is left unset.
//
// Immutable data; thread-safe.
#ifndef CAREGATE_SERVICES_PKI_CONFIG_FIELD_NOTES_H_
#define CAREGATE_SERVICES_PKI_CONFIG_FIELD_NOTES_H_

#include <string_view>

#include "google/protobuf/descriptor.h"

namespace caregate::pki {

struct FieldNote {
  // One paragraph; '\n' starts a new line.
  std::string_view comment;
  // Text-format lines shown commented out when the field is unset; empty to
  // leave an unset field out.
  std::string_view unset_example = {};
};

// The note of a caregate.config.v1 field, or nullptr when there is none.
const FieldNote* FindConfigFieldNote(
    const google::protobuf::FieldDescriptor* field);

}  // namespace caregate::pki

#endif  // CAREGATE_SERVICES_PKI_CONFIG_FIELD_NOTES_H_
