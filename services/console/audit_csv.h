// Audit events as CSV (RFC 4180): one header line, then one line per event
// with every field of caregate.v1.AuditEvent, enums by their full names,
// lists joined with ';', hashes in lowercase hex and times in RFC 3339 UTC.
// A field that a spreadsheet would take for a formula (starting with = + -
// @) is prefixed with a single quote.
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_CONSOLE_AUDIT_CSV_H_
#define CAREGATE_SERVICES_CONSOLE_AUDIT_CSV_H_

#include <string>
#include <string_view>

#include "caregate/v1/types.pb.h"

namespace caregate::console {

// The header line, ending in "\r\n".
std::string AuditCsvHeader();

// One event's line, ending in "\r\n".
std::string AuditCsvRow(const v1::AuditEvent& event);

// `value` as one CSV field: quoted when it holds a comma, quote, CR or LF
// (quotes doubled); formula-like values prefixed with '.
std::string CsvField(std::string_view value);

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_AUDIT_CSV_H_
