#include "parsers/flow/netflow.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "testutil/xdr_words.h"

namespace edgewatch::flow {
namespace {

using testing::Words;

// Keeps templates as a collector does, and the records.
struct Kept final : NetflowVisitor {
  void Header(const NetflowHeader& h) override { headers.push_back(h); }
  void Template(const flow::Template& t) override {
    if (t.field_count == 0) {
      templates.erase(t.id);
    } else {
      templates[t.id] = t;
    }
  }
  void WithdrawAll(bool options) override {
    std::erase_if(templates, [&](const auto& e) { return e.second.options == options; });
  }
  const flow::Template* Find(std::uint16_t id) override {
    const auto it = templates.find(id);
    return it == templates.end() ? nullptr : &it->second;
  }
  void Record(const FlowRecord& r) override { records.push_back(r); }
  std::vector<NetflowHeader> headers;
  std::map<std::uint16_t, flow::Template> templates;
  std::vector<FlowRecord> records;
};

Words IpfixMessage(const Words& sets, std::uint32_t sequence = 7) {
  Words m;
  m.U16(10).U16(static_cast<std::uint16_t>(16 + sets.bytes.size())).U32(1700000000);
  m.U32(sequence).U32(42);  // observation domain 42
  return m.Append(sets);
}

Words Set(std::uint16_t id, const Words& body) {
  Words s;
  s.U16(id).U16(static_cast<std::uint16_t>(4 + body.bytes.size()));
  return s.Append(body);
}

// Template 300: source and destination IPv4, ports, protocol, octets (8), packets (4), an
// enterprise element (4 bytes, skipped) and a variable-length one (skipped).
Words Template300() {
  Words t;
  t.U16(300).U16(9);
  t.U16(8).U16(4).U16(12).U16(4).U16(7).U16(2).U16(11).U16(2).U16(4).U16(1);
  t.U16(1).U16(8).U16(2).U16(4);
  t.U16(0x8000 | 100).U16(4).U32(29305);
  t.U16(82).U16(0xFFFF);  // interfaceName
  return t;
}

Words Record300(std::uint8_t last_octet, std::uint64_t octets, std::uint32_t packets) {
  Words r;
  r.U8(203).U8(0).U8(113).U8(last_octet).U8(198).U8(51).U8(100).U8(10);
  r.U16(123).U16(80).U8(17).U64(octets).U32(packets).U32(0xDEADBEEF);
  r.U8(3).U8('e').U8('t').U8('h');
  return r;
}

TEST(NetflowTest, IpfixTemplatesThenTheirRecordsInOneMessage) {
  Words data = Record300(1, 4680, 10);
  data.Append(Record300(2, 468, 1)).U8(0).U8(0);  // two records and padding
  Words sets = Set(2, Template300());
  sets.Append(Set(300, data));
  Kept kept;
  const auto h = ParseNetflow(IpfixMessage(sets).bytes, kept);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->version, 10);
  EXPECT_EQ(h->domain, 42u);
  EXPECT_EQ(h->sequence, 7u);
  EXPECT_EQ(h->templates, 1u);
  EXPECT_EQ(h->data_records, 2u);
  ASSERT_EQ(kept.records.size(), 2u);
  const FlowRecord& r = kept.records[0];
  EXPECT_TRUE(r.has_addresses);
  EXPECT_EQ(r.src, *net::ParseAddress("203.0.113.1"));
  EXPECT_EQ(r.dst, *net::ParseAddress("198.51.100.10"));
  EXPECT_EQ(r.src_port, 123);
  EXPECT_EQ(r.dst_port, 80);
  EXPECT_EQ(r.protocol, 17);
  EXPECT_EQ(r.octets, 4680u);
  EXPECT_EQ(r.packets, 10u);
  EXPECT_EQ(r.sampling_rate, 0u);
  EXPECT_EQ(kept.records[1].src, *net::ParseAddress("203.0.113.2"));
}

TEST(NetflowTest, DataOfAnUnknownTemplateIsCountedNotRead) {
  Kept kept;
  const auto h = ParseNetflow(IpfixMessage(Set(300, Record300(1, 1, 1))).bytes, kept);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->unknown_sets, 1u);
  EXPECT_TRUE(kept.records.empty());
}

TEST(NetflowTest, IpfixWithdrawalsOfOneAndOfAll) {
  Kept kept;
  Words two = Template300();
  two.U16(301).U16(1).U16(8).U16(4);
  ASSERT_TRUE(ParseNetflow(IpfixMessage(Set(2, two)).bytes, kept).ok());
  EXPECT_EQ(kept.templates.size(), 2u);
  Words withdraw;
  withdraw.U16(300).U16(0);
  ASSERT_TRUE(ParseNetflow(IpfixMessage(Set(2, withdraw)).bytes, kept).ok());
  EXPECT_EQ(kept.templates.count(300), 0u);
  Words all;
  all.U16(2).U16(0);
  ASSERT_TRUE(ParseNetflow(IpfixMessage(Set(2, all)).bytes, kept).ok());
  EXPECT_TRUE(kept.templates.empty());
}

TEST(NetflowTest, IpfixOptionsRecordsCarryTheSampling) {
  Words options;  // scope meteringProcessId, then samplerId, packet interval and space
  options.U16(256).U16(4).U16(1);
  options.U16(143).U16(4).U16(48).U16(1).U16(305).U16(4).U16(306).U16(4);
  Words record;
  record.U32(1).U8(5).U32(1).U32(99);  // sampler 5: 1 selected, then 99 skipped
  Words sets = Set(3, options);
  sets.Append(Set(256, record));
  Kept kept;
  ASSERT_TRUE(ParseNetflow(IpfixMessage(sets).bytes, kept).ok());
  ASSERT_EQ(kept.records.size(), 1u);
  EXPECT_TRUE(kept.records[0].options);
  EXPECT_EQ(kept.records[0].sampling_rate, 100u);
  EXPECT_TRUE(kept.records[0].has_sampler);
  EXPECT_EQ(kept.records[0].sampler, 5u);
}

TEST(NetflowTest, V9OptionsTemplateGivesScopeAndOptionLengthsInBytes) {
  Words options;  // template 257, scope 4 bytes (one field), options 8 bytes (two fields)
  options.U16(257).U16(4).U16(8).U16(1).U16(4).U16(34).U16(4).U16(35).U16(1).U16(0);
  Words record;
  record.U32(7).U32(512).U8(2).U8(0).U8(0).U8(0);  // system 7, interval 512, then padding
  Words sets = Set(1, options);
  sets.Append(Set(257, record));
  Words m;
  m.U16(9).U16(2).U32(1000).U32(1700000000).U32(3).U32(0x01020304).Append(sets);
  Kept kept;
  const auto h = ParseNetflow(m.bytes, kept);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->version, 9);
  EXPECT_EQ(h->sequence, 3u);
  EXPECT_EQ(h->domain, 0x01020304u);
  ASSERT_EQ(kept.records.size(), 1u);
  EXPECT_EQ(kept.records[0].sampling_rate, 512u);
  // Scope type 1 (system) is not element 1 (octetDeltaCount): v9 scopes have types of their own.
  EXPECT_EQ(kept.records[0].octets, 0u);
}

TEST(NetflowTest, V5RecordsAndTheHeadersSampling) {
  Words m;
  m.U16(5).U16(1).U32(0).U32(1700000000).U32(0).U32(1000).U8(1).U8(2).U16(0x4000 | 100);
  m.U8(192).U8(0).U8(2).U8(1).U8(198).U8(51).U8(100).U8(53).U32(0).U16(3).U16(4);
  m.U32(5).U32(500).U32(0).U32(0).U16(33333).U16(53).U8(0).U8(0).U8(17).U8(0);
  m.U16(0).U16(0).U8(0).U8(0).U16(0);
  Kept kept;
  const auto h = ParseNetflow(m.bytes, kept);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->domain, 0x0102u);
  EXPECT_EQ(h->sequence, 1000u);
  EXPECT_EQ(h->v5_sampling_rate, 100u);
  ASSERT_EQ(kept.records.size(), 1u);
  EXPECT_EQ(kept.records[0].dst_port, 53);
  EXPECT_EQ(kept.records[0].protocol, 17);
  EXPECT_EQ(kept.records[0].octets, 500u);
  EXPECT_EQ(kept.records[0].input_if, 3u);
  EXPECT_EQ(kept.records[0].sampling_rate, 100u);
  m.bytes.pop_back();  // cut short
  EXPECT_EQ(ParseNetflow(m.bytes, kept).error(), DatagramError::kTruncated);
}

TEST(NetflowTest, HostileInputIsAnErrorNotACrash) {
  Kept kept;
  Words big;
  big.U16(300).U16(65);
  for (int i = 0; i < 65; ++i) {
    big.U16(1).U16(4);
  }
  EXPECT_EQ(ParseNetflow(IpfixMessage(Set(2, big)).bytes, kept).error(), DatagramError::kTemplate);
  Words zero;
  zero.U16(300).U16(1).U16(1).U16(0);
  EXPECT_EQ(ParseNetflow(IpfixMessage(Set(2, zero)).bytes, kept).error(), DatagramError::kTemplate);
  Words m = IpfixMessage(Set(2, Template300()));
  m.bytes[3] = std::byte{0xFF};  // a message length past the datagram
  EXPECT_EQ(ParseNetflow(m.bytes, kept).error(), DatagramError::kTruncated);
  Words bad_set;
  bad_set.U16(2).U16(2);  // a set shorter than its own header
  EXPECT_EQ(ParseNetflow(IpfixMessage(bad_set).bytes, kept).error(), DatagramError::kTruncated);
  const std::byte v7[2] = {std::byte{0}, std::byte{7}};
  EXPECT_EQ(ParseNetflow(v7, kept).error(), DatagramError::kVersion);
}

TEST(NetflowTest, ProtocolsAreToldApartByTheirFirstBytes) {
  const auto of = [](std::vector<std::uint8_t> b) {
    std::vector<std::byte> bytes;
    for (auto x : b) {
      bytes.push_back(std::byte{x});
    }
    return FlowProtocolOf(bytes);
  };
  EXPECT_EQ(of({0, 0, 0, 5}), FlowProtocol::kSflow);
  EXPECT_EQ(of({0, 5, 0, 1}), FlowProtocol::kNetflow5);
  EXPECT_EQ(of({0, 9, 0, 1}), FlowProtocol::kNetflow9);
  EXPECT_EQ(of({0, 10, 0, 16}), FlowProtocol::kIpfix);
  EXPECT_EQ(of({0, 0, 0, 4}), FlowProtocol::kUnknown);
  EXPECT_EQ(of({0, 9}), FlowProtocol::kUnknown);
}

}  // namespace
}  // namespace edgewatch::flow
