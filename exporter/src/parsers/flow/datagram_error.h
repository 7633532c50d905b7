#pragma once

#include <cstdint>

namespace edgewatch::flow {

// Why a flow datagram could not be read: one set of reasons for the sFlow and the NetFlow/IPFIX
// readers, so that the collector counts both under the same names.
enum class DatagramError : std::uint8_t {
  kTruncated,    // a length points past the datagram's (or its set's) end
  kVersion,      // not a version the reader reads (sFlow 5; NetFlow 5, 9, IPFIX 10)
  kAddressType,  // sFlow: an agent address neither IPv4 nor IPv6
  kTemplate,     // v9/IPFIX: a template this reader cannot hold (too many fields, a field of 0)
};

}  // namespace edgewatch::flow
