#include "parsers/icmp/echo.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgewatch::icmp {
namespace {

constexpr Cookie kCookie = {std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                            std::byte{5}, std::byte{6}, std::byte{7}, std::byte{8}};

std::vector<std::byte> Bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) {
    out.push_back(std::byte{static_cast<std::uint8_t>(v)});
  }
  return out;
}

// RFC 1071 section 3's example: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its
// complement, 220d.
TEST(IcmpEchoTest, ChecksumMatchesRfc1071) {
  EXPECT_EQ(Checksum(Bytes({0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7})), 0x220d);
  EXPECT_EQ(Checksum(Bytes({0xff})), 0x00ff);  // odd length: padded with a zero byte
}

TEST(IcmpEchoTest, BuildsRequests) {
  std::vector<std::byte> out(64);
  ASSERT_EQ(BuildEchoRequest(false, 0x1234, 0x0102, 64, kCookie, out), 64u);
  EXPECT_EQ(std::to_integer<int>(out[0]), 8);
  EXPECT_EQ(std::to_integer<int>(out[4]), 0x12);
  EXPECT_EQ(std::to_integer<int>(out[7]), 0x02);
  EXPECT_EQ(Checksum(out), 0);  // a correct checksum makes the whole message sum to zero
  EXPECT_EQ(BuildEchoRequest(true, 1, 2, 10, kCookie, out), 24u);  // header + magic + cookie
  EXPECT_EQ(std::to_integer<int>(out[0]), 128);
  EXPECT_EQ(BuildEchoRequest(false, 1, 2, 100, kCookie, out), 0u);  // does not fit
}

// A reply is the request with type 0 (v4) or 129 (v6) and the checksum adjusted.
std::vector<std::byte> ReplyTo(bool v6, std::uint16_t id, std::uint16_t seq) {
  std::vector<std::byte> packet(64);
  BuildEchoRequest(v6, id, seq, 64, kCookie, packet);
  packet[0] = std::byte{v6 ? kEchoReplyV6 : kEchoReplyV4};
  packet[2] = packet[3] = std::byte{0};
  if (!v6) {
    const auto sum = Checksum(packet);
    packet[2] = std::byte{static_cast<std::uint8_t>(sum >> 8)};
    packet[3] = std::byte{static_cast<std::uint8_t>(sum)};
  }
  return packet;
}

TEST(IcmpEchoTest, ParsesRepliesOfBothFamilies) {
  const auto v4 = ParseEchoReply(false, false, kCookie, ReplyTo(false, 7, 300));
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->id, 7);
  EXPECT_EQ(v4->seq, 300);
  const auto v6 = ParseEchoReply(true, false, kCookie, ReplyTo(true, 7, 65535));
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->seq, 65535);
}

TEST(IcmpEchoTest, SkipsTheIpv4HeaderOfRawSockets) {
  auto packet = Bytes({0x45, 0, 0, 84, 0, 0, 0, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1});
  const auto reply = ReplyTo(false, 9, 42);
  packet.insert(packet.end(), reply.begin(), reply.end());
  const auto parsed = ParseEchoReply(false, true, kCookie, packet);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->seq, 42);
  packet[0] = std::byte{0x65};
  EXPECT_EQ(ParseEchoReply(false, true, kCookie, packet).error(), Rejection::kBadIpHeader);
  EXPECT_EQ(ParseEchoReply(false, true, kCookie, std::span(packet).first(10)).error(),
            Rejection::kBadIpHeader);
}

TEST(IcmpEchoTest, RejectsWhatIsNotOurReply) {
  auto request = std::vector<std::byte>(64);
  BuildEchoRequest(false, 1, 1, 64, kCookie, request);
  EXPECT_EQ(ParseEchoReply(false, false, kCookie, request).error(), Rejection::kNotEchoReply);
  auto bad_sum = ReplyTo(false, 1, 1);
  bad_sum[20] = std::byte{0xAA};
  EXPECT_EQ(ParseEchoReply(false, false, kCookie, bad_sum).error(), Rejection::kBadChecksum);
  auto foreign = ReplyTo(true, 1, 1);
  foreign[8] = std::byte{'X'};  // another program's payload
  EXPECT_EQ(ParseEchoReply(true, false, kCookie, foreign).error(), Rejection::kForeign);
  EXPECT_EQ(ParseEchoReply(true, false, kCookie, std::span(foreign).first(12)).error(),
            Rejection::kTruncated);
  // Our magic with another cookie: a spoofed reply, or another edgewatch's.
  Cookie other = kCookie;
  other[7] = std::byte{9};
  EXPECT_EQ(ParseEchoReply(false, false, other, ReplyTo(false, 1, 1)).error(),
            Rejection::kBadCookie);
  EXPECT_EQ(ParseEchoReply(false, false, kCookie, {}).error(), Rejection::kTruncated);
}

}  // namespace
}  // namespace edgewatch::icmp
