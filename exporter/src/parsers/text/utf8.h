#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace edgewatch::text {

// The length of the well-formed UTF-8 sequence at the start of `s` (Unicode's table 3-7: no
// overlong forms, no surrogates, nothing past U+10FFFF), or 0 when it does not start with one.
std::size_t Utf8SequenceLength(std::string_view s);

// `s` with every byte that does not belong to a well-formed UTF-8 sequence replaced by U+FFFD.
// Label values must be valid UTF-8, or Prometheus rejects the whole scrape; values come from
// attackers (a Host header, a sender address) and from keys cut to a fixed size.
std::string ValidUtf8(std::string_view s);

}  // namespace edgewatch::text
