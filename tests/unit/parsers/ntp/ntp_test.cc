#include "parsers/ntp/ntp.h"

#include <gtest/gtest.h>

#include <map>

#include "parsers/net/frame.h"
#include "testutil/pcap_file.h"

namespace edgewatch::ntp {
namespace {

struct Tally {
  std::map<Mode, int> modes;
  int monlist_requests = 0;
  int monlist_responses = 0;
  int malformed = 0;
  std::map<std::uint8_t, int> private_codes;
};

Tally Classify(const std::string& name) {
  Tally t;
  testing::ForEachPacket(name, [&](int link, const io::Packet& p) {
    const auto f = net::DecodeFrame(link, p.data);
    if (!f || f->kind != net::FrameKind::kUdp ||
        (f->udp.src_port != 123 && f->udp.dst_port != 123)) {
      return;
    }
    const auto packet = ntp::Classify(f->udp.payload);
    if (!packet) {
      ++t.malformed;
      return;
    }
    ++t.modes[packet->mode];
    if (packet->mode == Mode::kPrivate) {
      ++t.private_codes[packet->request_code];
    }
    if (packet->IsMonlist()) {
      ++(packet->response ? t.monlist_responses : t.monlist_requests);
    }
  });
  return t;
}

// Expected counts: the corpus README (tshark).
TEST(NtpTest, RealClientServerCapture) {
  Tally t = Classify("corpus/zeek-ntp2.pcap");
  EXPECT_EQ(t.modes[Mode::kClient], 17);
  EXPECT_EQ(t.modes[Mode::kServer], 17);
  EXPECT_EQ(t.modes[Mode::kPrivate], 1);
  EXPECT_EQ(t.monlist_requests, 1);
  EXPECT_EQ(t.monlist_responses, 0);
  EXPECT_EQ(t.malformed, 0);
}

TEST(NtpTest, SymmetricModesOnly) {
  Tally t = Classify("corpus/zeek-NTP_sync.pcap");
  EXPECT_EQ(t.modes[Mode::kSymmetricActive], 15);
  EXPECT_EQ(t.modes[Mode::kSymmetricPassive], 15);
  EXPECT_EQ(t.modes.size(), 2u);
  EXPECT_EQ(t.monlist_requests + t.monlist_responses, 0);
}

TEST(NtpTest, ControlAndPrivateRequests) {
  Tally t = Classify("corpus/zeek-ntpmode67.pcap");
  EXPECT_EQ(t.modes[Mode::kControl], 6);
  EXPECT_EQ(t.modes[Mode::kPrivate], 3);
  EXPECT_EQ(t.private_codes[1], 2);   // PEER_LIST
  EXPECT_EQ(t.private_codes[42], 1);  // MON_GETLIST_1
  EXPECT_EQ(t.monlist_requests, 1);
}

TEST(NtpTest, MonlistResponseFromTheWild) {
  std::optional<Packet> packet;
  testing::ForEachPacket("corpus/ndpi-NTPv2-monlist-response.pcap",
                         [&](int link, const io::Packet& p) {
                           packet = ntp::Classify(net::DecodeFrame(link, p.data)->udp.payload);
                         });
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->version, 2);
  EXPECT_EQ(packet->mode, Mode::kPrivate);
  EXPECT_TRUE(packet->response);
  EXPECT_EQ(packet->request_code, kMonGetList1);
  EXPECT_EQ(packet->item_count, 5);
  EXPECT_EQ(packet->item_size, 72);
  EXPECT_TRUE(packet->IsMonlistAnswer());
}

TEST(NtpTest, VersionsOfSingleFrames) {
  for (const auto& [name, version, mode] :
       {std::tuple{"corpus/ndpi-NTPv3.pcap", 3, Mode::kServer},
        std::tuple{"corpus/ndpi-NTPv4.pcap", 4, Mode::kClient}}) {
    std::optional<Packet> packet;
    testing::ForEachPacket(name, [&](int link, const io::Packet& p) {
      packet = ntp::Classify(net::DecodeFrame(link, p.data)->udp.payload);
    });
    ASSERT_TRUE(packet.has_value()) << name;
    EXPECT_EQ(packet->version, version);
    EXPECT_EQ(packet->mode, mode);
  }
}

TEST(NtpTest, ShortOrEmptyPayloadsAreMalformed) {
  std::array<std::byte, 48> client{};
  client[0] = std::byte{0x23};  // version 4, mode 3
  EXPECT_TRUE(ntp::Classify(client).has_value());
  EXPECT_FALSE(ntp::Classify(std::span(client).first(47)).has_value());
  EXPECT_FALSE(ntp::Classify({}).has_value());
  std::array<std::byte, 8> private_header{};
  private_header[0] = std::byte{0x17};  // version 2, mode 7
  EXPECT_TRUE(ntp::Classify(private_header).has_value());
  EXPECT_FALSE(ntp::Classify(std::span(private_header).first(7)).has_value());
  client[0] = std::byte{0x03};  // version 0
  EXPECT_FALSE(ntp::Classify(client).has_value());
}

TEST(NtpTest, MonlistRequestMatchesNtpdc) {
  // ntpdc -nc monlist: version 2, mode 7, implementation XNTPD (3), request code 42, no items.
  const auto request = MonlistRequest();
  const auto packet = ntp::Classify(request);
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(std::to_integer<int>(request[0]), 0x17);
  EXPECT_EQ(packet->implementation, 3);
  EXPECT_EQ(packet->request_code, 42);
  EXPECT_FALSE(packet->response);
  EXPECT_TRUE(packet->IsMonlist());
  EXPECT_FALSE(packet->IsMonlistAnswer());
}

}  // namespace
}  // namespace edgewatch::ntp
