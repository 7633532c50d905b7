#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace edgewatch {

// RFC 4648 base64 with padding, as HTTP basic auth uses it.
std::string Base64Encode(std::string_view data);
// nullopt for characters outside the alphabet, misplaced padding or a length not a multiple
// of 4.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace edgewatch
