#include "parsers/ntp/ntp.h"

namespace edgewatch::ntp {
namespace {

constexpr std::uint8_t kImplXntpd = 3;

std::uint8_t U8(std::span<const std::byte> p, std::size_t at) {
  return std::to_integer<std::uint8_t>(p[at]);
}

}  // namespace

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kReserved:
      return "reserved";
    case Mode::kSymmetricActive:
      return "symmetric_active";
    case Mode::kSymmetricPassive:
      return "symmetric_passive";
    case Mode::kClient:
      return "client";
    case Mode::kServer:
      return "server";
    case Mode::kBroadcast:
      return "broadcast";
    case Mode::kControl:
      return "control";
    case Mode::kPrivate:
      return "private";
  }
  return "reserved";
}

std::optional<Packet> Classify(std::span<const std::byte> payload) {
  if (payload.empty()) {
    return std::nullopt;
  }
  Packet p;
  const std::uint8_t first = U8(payload, 0);
  p.version = (first >> 3) & 0x07;
  p.mode = static_cast<Mode>(first & 0x07);
  if (p.version == 0) {
    return std::nullopt;
  }
  switch (p.mode) {
    case Mode::kControl:
      if (payload.size() < 12) {
        return std::nullopt;
      }
      p.response = (U8(payload, 1) & 0x80) != 0;
      return p;
    case Mode::kPrivate:
      if (payload.size() < 8) {
        return std::nullopt;
      }
      p.response = (first & 0x80) != 0;
      p.implementation = U8(payload, 2);
      p.request_code = U8(payload, 3);
      p.error_code = static_cast<std::uint8_t>(U8(payload, 4) >> 4);
      p.item_count = static_cast<std::uint16_t>(((U8(payload, 4) & 0x0F) << 8) | U8(payload, 5));
      p.item_size = static_cast<std::uint16_t>(((U8(payload, 6) & 0x0F) << 8) | U8(payload, 7));
      return p;
    default:
      if (payload.size() < 48) {
        return std::nullopt;
      }
      return p;
  }
}

std::array<std::byte, 48> MonlistRequest() {
  std::array<std::byte, 48> request{};
  request[0] = std::byte{(2 << 3) | 7};  // R=0 M=0, version 2, mode 7
  request[2] = std::byte{kImplXntpd};
  request[3] = std::byte{kMonGetList1};
  return request;
}

}  // namespace edgewatch::ntp
