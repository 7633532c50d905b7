#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "parsers/reflection/vectors.h"

namespace edgewatch::reflection {

// What a payload says it is, read as `vector`'s protocol.
enum class Judgement : std::uint8_t { kRequest, kResponse, kUnknown };

// Reads the payload as the vector's protocol: NTP mode (client asks, server answers, modes 6 and
// 7 by their R bit; symmetric and broadcast modes unknown), the DNS
// QR bit, an SSDP status line ("HTTP/1.1 200") against M-SEARCH and NOTIFY, memcached's upper-case
// replies (VALUE, STAT, END, ...) against its lower-case commands, the BER tag of an LDAP (CLDAP)
// message and of an SNMP v1/v2c PDU. Chargen only ever answers. Unknown when the bytes do not
// say (too short, another protocol, SNMPv3).
Judgement Judge(Vector vector, std::span<const std::byte> payload);

// The vector and side of a UDP datagram among the vectors whose bit is set in `enabled_mask`
// (bit i = Vector i). A datagram from a vector's port is that vector's, judged by its content:
// an answer, or a request sent from the service port (DNS server to server, SSDP M-SEARCH from
// 1900, ntpd polling from 123); when the content does not say, an answer, unless it also goes
// to that port (then a request, as symmetric NTP). Only a datagram from no vector's port is a
// request to the vector of its destination port. So answers aimed at a service port (a reflected
// flood at a victim's :53, memcached 11211 -> 11211) are answers, and chargen from :19 to :123
// is chargen, not NTP.
// Small enough to come back in registers: the capture calls it for every datagram.
std::optional<Match> ClassifyDatagram(std::uint16_t src_port, std::uint16_t dst_port,
                                      std::span<const std::byte> payload,
                                      std::uint32_t enabled_mask);

}  // namespace edgewatch::reflection
