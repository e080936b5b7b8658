#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace corvette::events {

// Standard base64 (RFC 4648, '+' '/', '=' padding), as Python's base64.b64encode: the encoding of
// the thumbnail column.
std::string Base64Encode(std::string_view bytes);
// The bytes of standard base64 text; nullopt when the text is not valid base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace corvette::events
