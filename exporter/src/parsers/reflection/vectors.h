#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace edgewatch::reflection {

// UDP amplification vectors, recognised by their well-known service port.
enum class Vector : std::uint8_t { kNtp, kDns, kSsdp, kMemcached, kCldap, kChargen, kSnmp };
inline constexpr int kVectorCount = 7;

struct VectorInfo {
  Vector vector;
  std::string_view name;  // label value and config name
  std::uint16_t port;
};

inline constexpr std::array<VectorInfo, kVectorCount> kVectors = {{
    {Vector::kNtp, "ntp", 123},
    {Vector::kDns, "dns", 53},
    {Vector::kSsdp, "ssdp", 1900},
    {Vector::kMemcached, "memcached", 11211},
    {Vector::kCldap, "cldap", 389},
    {Vector::kChargen, "chargen", 19},
    {Vector::kSnmp, "snmp", 161},
}};

inline constexpr const VectorInfo& Info(Vector v) { return kVectors[static_cast<int>(v)]; }

inline std::optional<Vector> VectorByName(std::string_view name) {
  for (const auto& v : kVectors) {
    if (v.name == name) {
      return v.vector;
    }
  }
  return std::nullopt;
}

enum class Side : std::uint8_t { kRequest, kResponse };

struct Match {
  Vector vector;
  Side side;
};

}  // namespace edgewatch::reflection
