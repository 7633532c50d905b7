#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace edgewatch::ntp {

// The NTP association mode, the low 3 bits of the first byte (RFC 5905; 6 and 7 from ntpd).
enum class Mode : std::uint8_t {
  kReserved = 0,
  kSymmetricActive = 1,
  kSymmetricPassive = 2,
  kClient = 3,
  kServer = 4,
  kBroadcast = 5,
  kControl = 6,  // ntpq
  kPrivate = 7,  // ntpdc; monlist lives here
};
inline constexpr int kModeCount = 8;

// Label value: "symmetric_active", "client", ...
const char* ModeName(Mode mode);

// ntpd mode-7 request codes that return the monitor list (amplification vectors).
inline constexpr std::uint8_t kMonGetList = 20;
inline constexpr std::uint8_t kMonGetList1 = 42;

struct Packet {
  std::uint8_t version = 0;
  Mode mode = Mode::kReserved;
  // Modes 6 and 7: the R bit (a response from the server). Other modes: false.
  bool response = false;
  // Mode 7 only.
  std::uint8_t implementation = 0;
  std::uint8_t request_code = 0;
  std::uint8_t error_code = 0;  // 0: no error
  std::uint16_t item_count = 0;
  std::uint16_t item_size = 0;

  // A mode-7 monitor-list answer with data: the server is usable as an amplifier.
  bool IsMonlistAnswer() const { return IsMonlist() && response && error_code == 0; }

  bool IsMonlist() const {
    return mode == Mode::kPrivate && (request_code == kMonGetList || request_code == kMonGetList1);
  }
};

// A flow record carries no payload, only packets and bytes. ntpd answers monlist with packets
// of an 8-byte header and up to 6 entries of 72 bytes (440 bytes of UDP payload) until the
// table is sent, so a flood of monlist answers averages close to 440; a time answer is 48
// (68 with a MAC), NTS answers with one cookie about 230. The rule: a flow from port 123 whose
// mean UDP payload per packet is at least kMonlistMeanPayload. Mode-6 (ntpq) answers of as
// much data look the same, and an answer of a short table (one packet of few entries) is
// missed: a flow's mode is a guess, the capture's and sFlow's are read.
inline constexpr std::uint64_t kMonlistMeanPayload = 400;
inline constexpr bool MeanSizeSaysMonlist(std::uint64_t payload_bytes, std::uint64_t packets) {
  return packets > 0 && payload_bytes >= kMonlistMeanPayload * packets;
}

// Classifies a UDP payload sent to or from port 123. Returns nullopt when it is too short for
// its mode's header (48 bytes for modes 1-5, 12 for mode 6, 8 for mode 7) or has version 0.
std::optional<Packet> Classify(std::span<const std::byte> payload);

// The 48-byte mode-7 MON_GETLIST_1 request that `ntpdc -nc monlist` sends (version 2,
// implementation XNTPD), for probing whether a server still answers it.
std::array<std::byte, 48> MonlistRequest();

}  // namespace edgewatch::ntp
