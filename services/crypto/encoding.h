// Hex and base64 (RFC 4648 standard alphabet, with padding) encoding.
//
// Thread-safe free functions. Decoders are strict: they accept only the
// output of the matching encoder (no whitespace, no missing or extra padding,
// no stray bits in the last base64 character) and return std::nullopt
// otherwise.
#ifndef CAREGATE_SERVICES_CRYPTO_ENCODING_H_
#define CAREGATE_SERVICES_CRYPTO_ENCODING_H_

#include <optional>
#include <string>
#include <string_view>

namespace caregate {

std::string HexEncode(std::string_view bytes);  // lowercase
// Accepts upper- and lowercase digits. std::nullopt when `hex` has odd length
// or a non-hex character.
std::optional<std::string> HexDecode(std::string_view hex);

std::string Base64Encode(std::string_view bytes);
// std::nullopt on malformed input (bad character, bad padding or length).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_ENCODING_H_
