// Hex and base64 (RFC 4648, with padding) encoding.
#ifndef CAREGATE_SERVICES_CRYPTO_ENCODING_H_
#define CAREGATE_SERVICES_CRYPTO_ENCODING_H_

#include <optional>
#include <string>
#include <string_view>

namespace caregate {

std::string HexEncode(std::string_view bytes);  // lowercase
// std::nullopt when `hex` has odd length or a non-hex character.
std::optional<std::string> HexDecode(std::string_view hex);

std::string Base64Encode(std::string_view bytes);
// std::nullopt on malformed input (bad character, bad padding or length).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_ENCODING_H_
