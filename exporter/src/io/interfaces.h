#pragma once

#include <string>
#include <vector>

#include "parsers/expected.h"
#include "parsers/net/address.h"

namespace edgewatch::io {

// Host prefixes (/32, /128) of the addresses on `interface`, or on every interface for "any".
Expected<std::vector<net::Prefix>> InterfaceAddresses(const std::string& interface);

}  // namespace edgewatch::io
