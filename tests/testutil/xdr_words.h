#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgewatch::testing {

// XDR words, as a test writes an sFlow datagram by the spec (sflow_version_5.txt); U8 and
// U16 for the big-endian fields of NetFlow and IPFIX.
struct Words {
  std::vector<std::byte> bytes;
  Words& U8(std::uint8_t v) {
    bytes.push_back(static_cast<std::byte>(v));
    return *this;
  }
  Words& U16(std::uint16_t v) {
    return U8(static_cast<std::uint8_t>(v >> 8)).U8(static_cast<std::uint8_t>(v & 0xFF));
  }
  Words& U32(std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) {
      bytes.push_back(static_cast<std::byte>(v >> s));
    }
    return *this;
  }
  Words& U64(std::uint64_t v) {
    return U32(static_cast<std::uint32_t>(v >> 32)).U32(v & 0xFFFFFFFF);
  }
  Words& Append(const Words& w) {
    bytes.insert(bytes.end(), w.bytes.begin(), w.bytes.end());
    return *this;
  }
  // Opaque bytes, padded to a whole word.
  Words& Opaque(const std::vector<std::byte>& b) {
    bytes.insert(bytes.end(), b.begin(), b.end());
    bytes.resize(bytes.size() + (4 - b.size() % 4) % 4);
    return *this;
  }
  Words& Part(std::uint32_t format, const Words& w) {
    return U32(format).U32(static_cast<std::uint32_t>(w.bytes.size())).Append(w);
  }
};

}  // namespace edgewatch::testing
