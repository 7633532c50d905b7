#include "parsers/reflection/classify.h"

#include <string_view>

#include "parsers/ntp/ntp.h"

namespace edgewatch::reflection {
namespace {

std::uint8_t At(std::span<const std::byte> p, std::size_t i) {
  return std::to_integer<std::uint8_t>(p[i]);
}

bool StartsWith(std::span<const std::byte> p, std::string_view text) {
  if (p.size() < text.size()) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (At(p, i) != static_cast<std::uint8_t>(text[i])) {
      return false;
    }
  }
  return true;
}

bool StartsWithAny(std::span<const std::byte> p, std::span<const std::string_view> words) {
  for (const auto w : words) {
    if (StartsWith(p, w)) {
      return true;
    }
  }
  return false;
}

Judgement Ntp(std::span<const std::byte> p) {
  const auto packet = ntp::Classify(p);
  if (!packet) {
    return Judgement::kUnknown;
  }
  switch (packet->mode) {
    case ntp::Mode::kClient:
      return Judgement::kRequest;
    case ntp::Mode::kServer:
      return Judgement::kResponse;
    case ntp::Mode::kControl:
    case ntp::Mode::kPrivate:
      return packet->response ? Judgement::kResponse : Judgement::kRequest;
    default:  // symmetric peers and broadcasts: neither asks nor answers, the ports decide
      return Judgement::kUnknown;
  }
}

Judgement Dns(std::span<const std::byte> p) {
  if (p.size() < 12) {
    return Judgement::kUnknown;
  }
  return (At(p, 2) & 0x80) != 0 ? Judgement::kResponse : Judgement::kRequest;
}

Judgement Ssdp(std::span<const std::byte> p) {
  if (StartsWith(p, "HTTP/1.")) {
    return Judgement::kResponse;
  }
  static constexpr std::string_view kRequests[] = {"M-SEARCH ", "NOTIFY "};
  return StartsWithAny(p, kRequests) ? Judgement::kRequest : Judgement::kUnknown;
}

// memcached over UDP: an 8-byte frame header (request id, sequence number, datagram count,
// reserved), then the text protocol. Replies are upper case, commands lower case; a reply's
// later datagrams (sequence > 0) carry the middle of a value.
Judgement Memcached(std::span<const std::byte> p) {
  if (p.size() < 8) {
    return Judgement::kUnknown;
  }
  const unsigned sequence = (At(p, 2) << 8) | At(p, 3);
  const auto text = p.subspan(8);
  static constexpr std::string_view kReplies[] = {
      "VALUE ", "STAT ",        "END\r\n",      "STORED\r\n", "NOT_STORED",
      "EXISTS", "NOT_FOUND",    "DELETED",      "TOUCHED",    "OK\r\n",
      "ERROR",  "CLIENT_ERROR", "SERVER_ERROR", "VERSION ",   "RESET"};
  static constexpr std::string_view kCommands[] = {
      "get ",    "gets ",    "gat ",      "gats ",      "set ",  "add ",  "replace ",
      "append ", "prepend ", "cas ",      "delete ",    "incr ", "decr ", "touch ",
      "stats",   "version",  "flush_all", "verbosity ", "mg ",   "ms "};
  if (StartsWithAny(text, kReplies)) {
    return Judgement::kResponse;
  }
  if (StartsWithAny(text, kCommands)) {
    return Judgement::kRequest;
  }
  return sequence > 0 ? Judgement::kResponse : Judgement::kUnknown;
}

// A BER TLV's header at p[at]: sets `at` past the length octets and returns the length, or
// nullopt when it does not fit.
std::optional<std::size_t> BerLength(std::span<const std::byte> p, std::size_t& at) {
  if (at >= p.size()) {
    return std::nullopt;
  }
  const std::uint8_t first = At(p, at++);
  if (first < 0x80) {
    return first;
  }
  const std::size_t octets = first & 0x7F;
  if (octets == 0 || octets > 4 || at + octets > p.size()) {
    return std::nullopt;
  }
  std::size_t length = 0;
  for (std::size_t i = 0; i < octets; ++i) {
    length = (length << 8) | At(p, at++);
  }
  return length;
}

// Skips one whole TLV at p[at] whose tag must be `tag`; false when it is not there.
bool SkipTlv(std::span<const std::byte> p, std::size_t& at, std::uint8_t tag) {
  if (at >= p.size() || At(p, at) != tag) {
    return false;
  }
  ++at;
  const auto length = BerLength(p, at);
  if (!length || *length > p.size() - at) {
    return false;
  }
  at += *length;
  return true;
}

// The tag after SEQUENCE { INTEGER (message id / version) [, OCTET STRING (community)] }.
std::optional<std::uint8_t> TagAfter(std::span<const std::byte> p, bool community) {
  std::size_t at = 0;
  if (p.empty() || At(p, 0) != 0x30) {
    return std::nullopt;
  }
  ++at;
  if (!BerLength(p, at) || !SkipTlv(p, at, 0x02) || (community && !SkipTlv(p, at, 0x04)) ||
      at >= p.size()) {
    return std::nullopt;
  }
  return At(p, at);
}

// RFC 4511 protocolOp tags: requests are even-numbered applications (bind 0, unbind 2,
// search 3, ...), responses the others, and the search's entries, done and references.
Judgement Ldap(std::span<const std::byte> p) {
  const auto tag = TagAfter(p, false);
  if (!tag || (*tag & 0xC0) != 0x40) {  // not an APPLICATION tag
    return Judgement::kUnknown;
  }
  switch (*tag & 0x1F) {
    case 0:   // bindRequest
    case 2:   // unbindRequest
    case 3:   // searchRequest
    case 6:   // modifyRequest
    case 8:   // addRequest
    case 10:  // delRequest
    case 12:  // modDNRequest
    case 14:  // compareRequest
    case 16:  // abandonRequest
    case 23:  // extendedRequest
      return Judgement::kRequest;
    default:
      return Judgement::kResponse;
  }
}

// SNMP v1/v2c: SEQUENCE { version, community, PDU }; GetResponse (0xA2) and Report (0xA8)
// answer, traps and informs are sent unasked, the rest ask.
Judgement Snmp(std::span<const std::byte> p) {
  const auto tag = TagAfter(p, true);
  if (!tag || *tag < 0xA0 || *tag > 0xA8) {
    return Judgement::kUnknown;
  }
  return *tag == 0xA2 || *tag == 0xA8 ? Judgement::kResponse : Judgement::kRequest;
}

// The enabled vector whose service port `port` is.
std::optional<Vector> VectorOfPort(std::uint16_t port, std::uint32_t enabled_mask) {
  for (const auto& v : kVectors) {
    if (v.port == port) {
      if ((enabled_mask & (1u << static_cast<int>(v.vector))) == 0) {
        return std::nullopt;
      }
      return v.vector;
    }
  }
  return std::nullopt;
}

}  // namespace

Judgement Judge(Vector vector, std::span<const std::byte> payload) {
  switch (vector) {
    case Vector::kNtp:
      return Ntp(payload);
    case Vector::kDns:
      return Dns(payload);
    case Vector::kSsdp:
      return Ssdp(payload);
    case Vector::kMemcached:
      return Memcached(payload);
    case Vector::kCldap:
      return Ldap(payload);
    case Vector::kChargen:
      return Judgement::kResponse;
    case Vector::kSnmp:
      return Snmp(payload);
  }
  return Judgement::kUnknown;
}

std::optional<Match> ClassifyDatagram(std::uint16_t src_port, std::uint16_t dst_port,
                                      std::span<const std::byte> payload,
                                      std::uint32_t enabled_mask) {
  const auto from = VectorOfPort(src_port, enabled_mask);
  const auto to = VectorOfPort(dst_port, enabled_mask);
  if (!from) {
    return to ? std::optional<Match>(Match{*to, Side::kRequest}) : std::nullopt;
  }
  switch (Judge(*from, payload)) {
    case Judgement::kRequest:
      return Match{*from, Side::kRequest};
    case Judgement::kResponse:
      return Match{*from, Side::kResponse};
    case Judgement::kUnknown:
      break;
  }
  return Match{*from, to == from ? Side::kRequest : Side::kResponse};
}

}  // namespace edgewatch::reflection
