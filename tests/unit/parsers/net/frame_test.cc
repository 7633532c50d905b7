#include "parsers/net/frame.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "testutil/pcap_file.h"

namespace edgewatch::net {
namespace {

using testing::ForEachPacket;

using Decoded = Expected<Frame, DecodeError>;

std::vector<Decoded> DecodeAll(const std::string& name) {
  std::vector<Decoded> frames;
  ForEachPacket(
      name, [&](int link, const io::Packet& p) { frames.push_back(DecodeFrame(link, p.data)); });
  return frames;
}

Address V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  Address addr;
  addr.bytes[0] = a;
  addr.bytes[1] = b;
  addr.bytes[2] = c;
  addr.bytes[3] = d;
  return addr;
}

// Corpus: ndpi-NTPv2-monlist-response.pcap is 208.104.95.10:123 -> 78.46.76.2:80 with 368 B of
// UDP payload.
TEST(FrameTest, DecodesRealEthernetUdp) {
  const auto frames = DecodeAll("corpus/ndpi-NTPv2-monlist-response.pcap");
  ASSERT_EQ(frames.size(), 1u);
  ASSERT_TRUE(frames[0]);
  const Frame& f = *frames[0];
  ASSERT_EQ(f.kind, FrameKind::kUdp);
  EXPECT_EQ(f.udp.src, V4(208, 104, 95, 10));
  EXPECT_EQ(f.udp.dst, V4(78, 46, 76, 2));
  EXPECT_EQ(f.udp.src_port, 123);
  EXPECT_EQ(f.udp.dst_port, 80);
  EXPECT_EQ(f.udp.payload_length, 368u);
  EXPECT_EQ(f.udp.payload.size(), 368u);
}

// Corpus: zeek-dns-any-loc-29-trunc.pcap has a double VLAN tag; UDP lengths 80 and 242.
TEST(FrameTest, DecodesQinQ) {
  const auto frames = DecodeAll("corpus/zeek-dns-any-loc-29-trunc.pcap");
  ASSERT_EQ(frames.size(), 2u);
  for (const auto& f : frames) {
    ASSERT_TRUE(f);
    ASSERT_EQ(f->kind, FrameKind::kUdp);
  }
  EXPECT_EQ(frames[0]->udp.dst_port, 53);
  EXPECT_EQ(frames[0]->udp.payload_length, 72u);
  EXPECT_EQ(frames[1]->udp.src_port, 53);
  EXPECT_EQ(frames[1]->udp.payload_length, 234u);
}

// Corpus: 12 ICMPv4 frames; memcached over TCP: 10 frames, none UDP.
TEST(FrameTest, OtherProtocolsAreNotUdp) {
  for (const auto& f : DecodeAll("corpus/zeek-communityid-icmp.pcap")) {
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind, FrameKind::kOtherIp);
  }
  EXPECT_EQ(DecodeAll("corpus/zeek-communityid-icmp.pcap").size(), 12u);
  const auto tcp = DecodeAll("corpus/ndpi-memcached-tcp.pcap");
  EXPECT_EQ(tcp.size(), 10u);
  for (const auto& f : tcp) {
    ASSERT_TRUE(f);
    EXPECT_NE(f->kind, FrameKind::kUdp);
  }
}

// Synthetic (README.md): VLAN, QinQ, IPv6 behind two extension headers, IPv6 monlist response.
TEST(FrameTest, DecodesVlanAndIpv6ExtensionHeaders) {
  const auto frames = DecodeAll("link-ethernet-vlan-ipv6.pcap");
  ASSERT_EQ(frames.size(), 4u);
  for (const auto& f : frames) {
    ASSERT_TRUE(f);
    ASSERT_EQ(f->kind, FrameKind::kUdp);
  }
  EXPECT_EQ(frames[0]->udp.payload_length, 48u);
  EXPECT_EQ(frames[1]->udp.payload_length, 48u);
  EXPECT_TRUE(frames[2]->udp.src.v6);
  EXPECT_EQ(frames[2]->udp.dst_port, 123);
  EXPECT_EQ(frames[2]->udp.payload_length, 48u);
  EXPECT_EQ(frames[2]->udp.src.bytes[0], 0x20);
  EXPECT_EQ(frames[2]->udp.src.bytes[1], 0x01);
  EXPECT_EQ(frames[2]->udp.src.bytes[15], 0x01);
  EXPECT_EQ(frames[3]->udp.payload_length, 152u);  // 8 + 2 * 72
}

TEST(FrameTest, DecodesCookedAndRawLinks) {
  for (const char* name : {"link-sll.pcap", "link-sll2.pcap", "link-raw.pcap"}) {
    const auto frames = DecodeAll(name);
    ASSERT_EQ(frames.size(), 1u) << name;
    ASSERT_TRUE(frames[0]) << name;
    EXPECT_EQ(frames[0]->kind, FrameKind::kUdp) << name;
    EXPECT_EQ(frames[0]->udp.payload_length, 48u) << name;
  }
  EXPECT_TRUE(DecodeAll("link-sll2.pcap")[0]->udp.dst.v6);
}

// fragments.pcap (README.md): a 3008-byte UDP datagram (3000 B of payload) from port 123 in
// IPv4 fragments of 1480, 1480 and 48 bytes of IP payload, id 7; an IPv6 first fragment (id 9,
// more to come) holding a UDP header and 64 bytes.
TEST(FrameTest, FragmentsCarryTheirShareOfTheDatagram) {
  const auto frames = DecodeAll("fragments.pcap");
  ASSERT_EQ(frames.size(), 4u);
  for (const auto& f : frames) {
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->fragment.fragmented);
  }
  EXPECT_EQ(frames[0]->kind, FrameKind::kUdp);  // the first holds the UDP header
  EXPECT_EQ(frames[0]->udp.src_port, 123);
  EXPECT_EQ(frames[0]->udp.payload_length, 3000u);  // the whole datagram's, from the header
  EXPECT_TRUE(frames[0]->fragment.first);
  EXPECT_FALSE(frames[0]->fragment.last);
  EXPECT_EQ(frames[0]->fragment.id, 7u);
  EXPECT_EQ(frames[0]->fragment.payload_bytes, 1480u - 8);
  EXPECT_EQ(frames[1]->kind, FrameKind::kFragment);
  EXPECT_EQ(frames[1]->fragment.payload_bytes, 1480u);
  EXPECT_FALSE(frames[1]->fragment.last);
  EXPECT_EQ(frames[2]->kind, FrameKind::kFragment);
  EXPECT_EQ(frames[2]->fragment.payload_bytes, 48u);
  EXPECT_TRUE(frames[2]->fragment.last);
  EXPECT_EQ(frames[2]->fragment.id, 7u);
  EXPECT_EQ(frames[2]->udp.src, frames[0]->udp.src);
  EXPECT_EQ(frames[3]->kind, FrameKind::kUdp);
  EXPECT_TRUE(frames[3]->udp.src.v6);
  EXPECT_EQ(frames[3]->fragment.id, 9u);
  EXPECT_EQ(frames[3]->fragment.payload_bytes, 64u);
  EXPECT_EQ(frames[3]->udp.payload_length, 64u);
}

// encapsulations.pcap (README.md): each tunnel decoded to the inner monlist answer, the
// innermost tunnel named; those that cannot be read say so.
TEST(FrameTest, DecodesTunnelsToTheInnerPacket) {
  const auto frames = DecodeAll("encapsulations.pcap");
  ASSERT_EQ(frames.size(), 27u);
  using E = Encapsulation;
  const std::vector<E> tunnels = {
      E::kMpls,   E::kMpls,   E::kMpls,  E::kMpls,   E::kMpls,   E::kMpls,   E::kGre,
      E::kGre,    E::kGre,    E::kGre,   E::kErspan, E::kErspan, E::kErspan, E::kErspan,
      E::kErspan, E::kErspan, E::kVxlan, E::kVxlan,  E::kVxlan,  E::kPppoe,  E::kPppoe};
  for (std::size_t i = 0; i < tunnels.size(); ++i) {
    ASSERT_TRUE(frames[i]) << i;
    EXPECT_EQ(frames[i]->kind, FrameKind::kUdp) << i;
    EXPECT_EQ(frames[i]->encapsulation, tunnels[i]) << i;
    EXPECT_EQ(frames[i]->udp.src_port, 123) << i;
    EXPECT_EQ(frames[i]->udp.payload_length, 440u) << i;
  }
  EXPECT_TRUE(frames[9]->udp.dst.v6);              // IPv6 in GRE over IPv6
  EXPECT_EQ(frames[21]->kind, FrameKind::kNotIp);  // PPP's LCP
  EXPECT_EQ(frames[21]->encapsulation, E::kPppoe);
  for (std::size_t i = 22; i < 27; ++i) {
    ASSERT_TRUE(frames[i]) << i;
    EXPECT_EQ(frames[i]->kind, FrameKind::kUndecoded) << i;
  }
  EXPECT_EQ(frames[25]->encapsulation, E::kMpls);
  EXPECT_EQ(frames[26]->encapsulation, E::kVxlan);
  EXPECT_STREQ(EncapsulationName(E::kErspan), "erspan");
}

// IPv4 carrying GRE carrying IPv4 ... `depth` times, around a UDP datagram to port 123.
std::vector<std::byte> NestedGre(int depth) {
  std::vector<std::uint8_t> packet = {0x04, 0xd2, 0x00, 0x7b, 0x00, 0x0c, 0x00, 0x00, 1, 2, 3, 4};
  const auto wrap = [&](std::uint8_t protocol) {
    const std::size_t total = 20 + packet.size();
    std::vector<std::uint8_t> ip = {0x45,
                                    0,
                                    static_cast<std::uint8_t>(total >> 8),
                                    static_cast<std::uint8_t>(total),
                                    0,
                                    0,
                                    0,
                                    0,
                                    64,
                                    protocol,
                                    0,
                                    0,
                                    192,
                                    0,
                                    2,
                                    1,
                                    198,
                                    51,
                                    100,
                                    1};
    ip.insert(ip.end(), packet.begin(), packet.end());
    packet = ip;
  };
  wrap(17);
  for (int i = 0; i < depth; ++i) {
    packet.insert(packet.begin(), {0x00, 0x00, 0x08, 0x00});  // GRE carrying IPv4
    wrap(47);
  }
  std::vector<std::byte> frame(12, std::byte{0x02});
  frame.push_back(std::byte{0x08});
  frame.push_back(std::byte{0x00});
  for (auto b : packet) {
    frame.push_back(static_cast<std::byte>(b));
  }
  return frame;
}

TEST(FrameTest, TunnelsAreBoundedInDepth) {
  const auto four = DecodeFrame(kLinkEthernet, NestedGre(4));
  ASSERT_TRUE(four);
  EXPECT_EQ(four->kind, FrameKind::kUdp);
  EXPECT_EQ(four->udp.dst_port, 123);
  const auto five = DecodeFrame(kLinkEthernet, NestedGre(5));
  ASSERT_FALSE(five);
  EXPECT_EQ(five.error(), DecodeError::kTooManyHeaders);
}

TEST(FrameTest, MalformedFramesSayWhy) {
  const auto frames = DecodeAll("malformed.pcap");
  ASSERT_EQ(frames.size(), 7u);
  const std::vector<DecodeError> expected = {
      DecodeError::kTruncated,   DecodeError::kTruncated,    DecodeError::kBadIpHeader,
      DecodeError::kBadIpHeader, DecodeError::kBadUdpHeader, DecodeError::kBadUdpHeader};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_FALSE(frames[i]) << i;
    EXPECT_EQ(frames[i].error(), expected[i]) << i;
  }
  // The last one has whole headers: UDP, with 11 of its 48 payload bytes captured.
  EXPECT_EQ(frames[6]->kind, FrameKind::kUdp);
  EXPECT_EQ(frames[6]->udp.payload_length, 48u);
  EXPECT_EQ(frames[6]->udp.payload.size(), 11u);
}

TEST(FrameTest, EveryPrefixOfARealFrameIsSafe) {
  ForEachPacket("link-ethernet-vlan-ipv6.pcap", [](int link, const io::Packet& p) {
    for (std::size_t n = 0; n < p.data.size(); ++n) {
      const auto f = DecodeFrame(link, p.data.first(n));
      if (f && f->kind == FrameKind::kUdp) {
        EXPECT_LE(f->udp.payload.size(), n);
      }
    }
  });
  EXPECT_EQ(DecodeFrame(999, {}).error(), DecodeError::kUnsupportedLink);
  EXPECT_STREQ(DecodeErrorName(DecodeError::kBadUdpHeader), "bad_udp_header");
}

}  // namespace
}  // namespace edgewatch::net
