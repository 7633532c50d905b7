#include "parsers/flow/sflow.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "parsers/net/frame.h"
#include "testutil/pcap_file.h"
#include "testutil/xdr_words.h"

namespace edgewatch::flow {
namespace {

struct Recorder final : SflowVisitor {
  void Flow(const SflowFlowSample& s) override {
    flows.push_back(s);
    headers.emplace_back(s.header.begin(), s.header.end());
  }
  void Counters(const SflowInterfaceCounters& c) override { counters.push_back(c); }
  std::vector<SflowFlowSample> flows;
  std::vector<std::vector<std::byte>> headers;
  std::vector<SflowInterfaceCounters> counters;
};

// The UDP payloads of a capture's datagrams.
std::vector<std::vector<std::byte>> Payloads(const std::string& name) {
  std::vector<std::vector<std::byte>> out;
  testing::ForEachPacket(name, [&](int link, const io::Packet& p) {
    const auto frame = net::DecodeFrame(link, p.data);
    if (frame && frame->kind == net::FrameKind::kUdp) {
      out.emplace_back(frame->udp.payload.begin(), frame->udp.payload.end());
    }
  });
  return out;
}

// pmacct's sfprobe exported the incident capture with sampling rate 1: one flow sample per
// frame, in order, each header the frame's first 128 bytes, each frame length the frame's.
TEST(SflowTest, APmacctExportHoldsEveryFrameOfTheCaptureItSampled) {
  const auto datagrams = Payloads("flow/sflow-pmacct-incident.pcap");
  ASSERT_EQ(datagrams.size(), 25u);
  Recorder r;
  std::uint32_t sequence = 0;
  for (const auto& d : datagrams) {
    const auto parsed = ParseSflow(d, r);
    ASSERT_TRUE(parsed.ok()) << static_cast<int>(parsed.error());
    EXPECT_EQ(parsed->sequence, ++sequence);
    EXPECT_EQ(net::FormatAddress(parsed->agent), "192.0.2.254");
    EXPECT_FALSE(parsed->agent.v6);
  }
  std::vector<std::vector<std::byte>> frames;
  testing::ForEachPacket("incident-ntp-reflection.pcap", [&](int, const io::Packet& p) {
    frames.emplace_back(p.data.begin(), p.data.end());
  });
  ASSERT_EQ(r.flows.size(), frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto& s = r.flows[i];
    EXPECT_EQ(s.sampling_rate, 1u);
    EXPECT_TRUE(s.has_header);
    EXPECT_EQ(s.header_protocol, 1u);  // Ethernet
    // The frame length counts the 4 stripped bytes (the FCS a capture does not have).
    EXPECT_EQ(s.frame_length - s.stripped, frames[i].size()) << i;
    const std::size_t kept = std::min<std::size_t>(frames[i].size(), 128);
    ASSERT_EQ(r.headers[i].size(), kept) << i;
    EXPECT_EQ(std::memcmp(r.headers[i].data(), frames[i].data(), kept), 0) << i;
  }
  EXPECT_TRUE(r.counters.empty());
}

using testing::Words;

Words InterfaceCounters(std::uint32_t if_index, std::uint64_t in, std::uint64_t out) {
  Words w;
  w.U32(if_index).U32(6).U64(10'000'000'000).U32(1).U32(3).U64(in);
  w.U32(1000).U32(2).U32(3).U32(4).U32(5).U32(6).U64(out).U32(2000).U32(0).U32(0).U32(0).U32(0);
  return w.U32(0);
}

TEST(SflowTest, CounterSamplesExpandedFlowSamplesAndIPv6Agents) {
  Words raw;  // a raw packet header record of 6 bytes (padded to 8)
  raw.U32(1).U32(1500).U32(4).U32(6);
  raw.bytes.insert(raw.bytes.end(), {std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                     std::byte{5}, std::byte{6}, std::byte{0}, std::byte{0}});
  Words expanded;
  expanded.U32(7).U32(0).U32(42).U32(1000).U32(5000).U32(3).U32(0).U32(42).U32(0).U32(43);
  expanded.U32(2).Part(1001, Words().U32(0).U32(0).U32(0).U32(0)).Part(1, raw);
  Words enterprise;  // an enterprise's own sample: skipped by its length
  enterprise.U32(1).U32(2);
  Words d;
  d.U32(5).U32(2);
  for (int i = 0; i < 4; ++i) {
    d.U32(0x20010db8 * (i == 0));
  }
  d.U32(1).U32(77).U32(123456).U32(3);
  d.Part(3, expanded)
      .Part(4, Words()
                   .U32(9)
                   .U32(0)
                   .U32(42)
                   .U32(2)
                   .Part(2, Words().U32(1).U32(2))  // ethernet counters: skipped
                   .Part(1, InterfaceCounters(42, 123456789012ULL, 98765)));
  d.Part((9 << 12) | 5, enterprise);
  d.U32(0);  // a fourth sample is not there: the count says 3

  Recorder r;
  const auto parsed = ParseSflow(d.bytes, r);
  ASSERT_TRUE(parsed.ok()) << static_cast<int>(parsed.error());
  EXPECT_TRUE(parsed->agent.v6);
  EXPECT_EQ(net::FormatAddress(parsed->agent), "2001:db8::");
  EXPECT_EQ(parsed->sequence, 77u);
  ASSERT_EQ(r.flows.size(), 1u);
  EXPECT_EQ(r.flows[0].sampling_rate, 1000u);
  EXPECT_EQ(r.flows[0].sample_pool, 5000u);
  EXPECT_EQ(r.flows[0].drops, 3u);
  EXPECT_EQ(r.flows[0].input_if, 42u);
  EXPECT_EQ(r.flows[0].output_if, 43u);
  EXPECT_EQ(r.flows[0].frame_length, 1500u);
  EXPECT_EQ(r.headers[0].size(), 6u);
  ASSERT_EQ(r.counters.size(), 1u);
  EXPECT_EQ(r.counters[0].if_index, 42u);
  EXPECT_EQ(r.counters[0].in_octets, 123456789012ULL);
  EXPECT_EQ(r.counters[0].out_octets, 98765u);
  EXPECT_EQ(r.counters[0].if_speed, 10'000'000'000ULL);
  EXPECT_EQ(r.counters[0].in_unicast_packets, 1000u);
  EXPECT_EQ(r.counters[0].out_unicast_packets, 2000u);
}

TEST(SflowTest, BadDatagramsAreErrorsAndNeverReadPastTheirEnd) {
  Recorder r;
  EXPECT_EQ(ParseSflow({}, r).error(), DatagramError::kTruncated);
  Words v4;
  v4.U32(4);
  EXPECT_EQ(ParseSflow(v4.bytes, r).error(), DatagramError::kVersion);
  Words type;
  type.U32(5).U32(3);
  EXPECT_EQ(ParseSflow(type.bytes, r).error(), DatagramError::kAddressType);
  // A sample whose length points past the end, and a header record longer than its record.
  Words past;
  past.U32(5).U32(1).U32(0xC0000201).U32(0).U32(1).U32(0).U32(1).U32(1).U32(1000);
  EXPECT_EQ(ParseSflow(past.bytes, r).error(), DatagramError::kTruncated);
  Words raw;
  raw.U32(1).U32(1500).U32(4).U32(400);  // 400 header bytes that are not there
  Words flow;
  flow.U32(1).U32(1).U32(1).U32(1).U32(0).U32(1).U32(2).U32(1).Part(1, raw);
  Words d;
  d.U32(5).U32(1).U32(0xC0000201).U32(0).U32(1).U32(0).U32(1).Part(1, flow);
  EXPECT_EQ(ParseSflow(d.bytes, r).error(), DatagramError::kTruncated);
  EXPECT_TRUE(r.flows.empty());
  // Every prefix of a real datagram is an error or a whole datagram, never a crash.
  const auto real = Payloads("flow/sflow-pmacct-incident.pcap");
  for (std::size_t n = 0; n < real[0].size(); ++n) {
    EXPECT_FALSE(ParseSflow(std::span(real[0]).first(n), r).ok()) << n;
  }
}

}  // namespace
}  // namespace edgewatch::flow
