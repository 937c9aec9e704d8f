// National Provider Identifier (NPI) check digits.
//
// An NPI is 10 decimal digits; the 10th is a Luhn check digit computed over
// "80840" followed by the first 9 (the ISO 7812 card-issuer prefix of US
// health applications). Pure functions; thread-safe.
#ifndef CAREGATE_SERVICES_CONFIG_NPI_H_
#define CAREGATE_SERVICES_CONFIG_NPI_H_

#include <string>
#include <string_view>

namespace caregate {

// True when `npi` is exactly 10 ASCII digits with a correct check digit.
bool IsValidNpi(std::string_view npi);

// `nine_digits` followed by its check digit: a valid NPI. Returns an empty
// string when `nine_digits` is not exactly 9 ASCII digits.
std::string NpiWithCheckDigit(std::string_view nine_digits);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CONFIG_NPI_H_
