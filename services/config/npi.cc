#include "services/config/npi.h"

#include <algorithm>

namespace caregate {
namespace {

constexpr std::string_view kNpiLuhnPrefix = "80840";

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// The Luhn check digit for `payload` (digits only): doubling every second
// digit from the right, starting with the rightmost.
char LuhnCheckDigit(std::string_view payload) {
  int sum = 0;
  bool double_it = true;
  for (auto it = payload.rbegin(); it != payload.rend(); ++it) {
    int d = *it - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

}  // namespace

std::string NpiWithCheckDigit(std::string_view nine_digits) {
  if (nine_digits.size() != 9 || !AllDigits(nine_digits)) return "";
  std::string payload(kNpiLuhnPrefix);
  payload.append(nine_digits);
  std::string npi(nine_digits);
  npi.push_back(LuhnCheckDigit(payload));
  return npi;
}

bool IsValidNpi(std::string_view npi) {
  if (npi.size() != 10 || !AllDigits(npi)) return false;
  return NpiWithCheckDigit(npi.substr(0, 9)) == npi;
}

}  // namespace caregate
