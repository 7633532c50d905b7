#include "collectors/udp_reflection_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <span>

#include "config/values.h"
#include "testutil/pcap_file.h"

namespace edgewatch {
namespace {

using reflection::Side;
using reflection::Vector;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr int kIn = static_cast<int>(Direction::kIn);
constexpr int kOut = static_cast<int>(Direction::kOut);
constexpr int kReq = static_cast<int>(Side::kRequest);
constexpr int kResp = static_cast<int>(Side::kResponse);
constexpr int kNtp = static_cast<int>(Vector::kNtp);
constexpr int kDns = static_cast<int>(Vector::kDns);

net::Address Ip(const char* text) { return ParseIpAddress(text).value(); }

ReflectionSettings IncidentSettings() {
  ReflectionSettings s;
  s.local_networks = {ParseCidr("198.51.100.0/24").value()};
  s.vector_mask = (1u << reflection::kVectorCount) - 1;
  s.ntp_servers = {Ip("198.51.100.123")};
  return s;
}

using Pair = std::pair<std::uint64_t, std::uint64_t>;

Pair PB(const ReflectionCounts::PacketsBytes& pb) { return {pb.packets, pb.bytes}; }

// Every number below is worked out by hand from tests/testdata/pcap/generate.py (README.md).
TEST(ReflectionStateTest, IncidentCapture) {
  ReflectionState state(IncidentSettings());
  testing::ForEachPacket("incident-ntp-reflection.pcap", [&](int link, const io::Packet& p) {
    state.OnFrame(p.timestamp_ns, link, p.data);
  });
  const ReflectionCounts c = state.Counts();
  EXPECT_EQ(c.frames, 152u);
  using M = ntp::Mode;
  const auto mode = [&](int dir, M m) { return PB(c.ntp[dir][static_cast<int>(m)]); };
  EXPECT_EQ(mode(kIn, M::kPrivate), (Pair{70, 50 * 440 + 20 * 48}));
  EXPECT_EQ(mode(kOut, M::kPrivate), (Pair{60, 60 * 440}));
  EXPECT_EQ(mode(kIn, M::kClient), (Pair{5, 5 * 48}));
  EXPECT_EQ(mode(kOut, M::kServer), (Pair{5, 5 * 48}));
  EXPECT_EQ(mode(kOut, M::kClient), (Pair{2, 2 * 48}));
  EXPECT_EQ(mode(kIn, M::kServer), (Pair{2, 2 * 48}));

  EXPECT_EQ(PB(c.monlist[kIn][kResp]), (Pair{50, 22000}));
  EXPECT_EQ(PB(c.monlist[kIn][kReq]), (Pair{20, 960}));
  EXPECT_EQ(PB(c.monlist[kOut][kResp]), (Pair{60, 26400}));

  // Reflector view: our server got 25 requests (1200 B) and sent 65 responses (26640 B):
  // an amplification of 22.2.
  ASSERT_EQ(c.server_requests.size(), 2u);
  EXPECT_EQ(PB(c.server_requests[0]), (Pair{25, 1200}));
  EXPECT_EQ(PB(c.server_responses[0]), (Pair{65, 26640}));
  EXPECT_EQ(PB(c.server_requests[1]), (Pair{0, 0}));  // "other"

  // Victim view: the 50 monlist responses were unsolicited, the 2 time-sync answers were not.
  EXPECT_EQ(PB(c.unsolicited[kNtp]), (Pair{50, 22000}));
  EXPECT_EQ(PB(c.unsolicited[kDns]), (Pair{4, 4800}));
  EXPECT_EQ(PB(c.vectors[kNtp][kIn][kResp]), (Pair{52, 22096}));
  EXPECT_EQ(PB(c.vectors[kNtp][kIn][kReq]), (Pair{25, 1200}));
  EXPECT_EQ(PB(c.vectors[kNtp][kOut][kReq]), (Pair{2, 96}));
  EXPECT_EQ(PB(c.vectors[kNtp][kOut][kResp]), (Pair{65, 26640}));
  EXPECT_EQ(PB(c.vectors[kDns][kOut][kReq]), (Pair{1, 30}));
  EXPECT_EQ(PB(c.vectors[kDns][kIn][kResp]), (Pair{5, 4900}));

  const auto top = state.TopTargets(Vector::kNtp, state.last_frame_ns()).entries;
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].first, Ip("198.51.100.10"));
  EXPECT_EQ(top[0].second, 22000u);
  // The reflector view: our server answered remote hosts with 60 x 440 + 5 x 48 B after being
  // asked 20 x 48 + 5 x 48 B (amplification 22.2), most of it to the spoofed victim.
  const ReflectorView view = state.Reflectors(Vector::kNtp, state.last_frame_ns());
  ASSERT_EQ(view.reflectors.entries.size(), 1u);
  EXPECT_EQ(view.reflectors.entries[0].first, Ip("198.51.100.123"));
  EXPECT_EQ(view.reflectors.entries[0].second, 60u * 440 + 5 * 48);
  EXPECT_EQ(view.asked, std::vector<std::uint64_t>{25 * 48});
  ASSERT_EQ(view.victims.entries.size(), 2u);
  EXPECT_EQ(view.victims.entries[0], (std::pair{Ip("192.0.2.77"), std::uint64_t{60 * 440}}));
  EXPECT_EQ(view.victims.entries[1], (std::pair{Ip("192.0.2.50"), std::uint64_t{5 * 48}}));
  EXPECT_TRUE(state.Reflectors(Vector::kDns, state.last_frame_ns()).reflectors.entries.empty());
}

// A reload reads the interface's addresses again in place: frames after it see the new local
// networks, and nothing counted before is lost.
// A sampled frame stands for `weight` packets: every packet and byte counter and the top-K
// scale by it; frames and decode errors stay counts of samples.
TEST(ReflectionStateTest, SampledFramesCountTheirWeight) {
  ReflectionState once(IncidentSettings());
  ReflectionState sampled(IncidentSettings());
  testing::ForEachPacket("incident-ntp-reflection.pcap", [&](int link, const io::Packet& p) {
    once.OnFrame(p.timestamp_ns, link, p.data);
    sampled.OnFrame(p.timestamp_ns, link, p.data, 7);
  });
  const ReflectionCounts a = once.Counts();
  const ReflectionCounts b = sampled.Counts();
  const auto times7 = [](const ReflectionCounts::PacketsBytes& pb) {
    return Pair{pb.packets * 7, pb.bytes * 7};
  };
  EXPECT_EQ(b.frames, a.frames);
  for (int d = 0; d < kDirectionCount; ++d) {
    for (int m = 0; m < ntp::kModeCount; ++m) {
      EXPECT_EQ(PB(b.ntp[d][m]), times7(a.ntp[d][m]));
    }
    for (int side = 0; side < 2; ++side) {
      EXPECT_EQ(PB(b.monlist[d][side]), times7(a.monlist[d][side]));
      for (int v = 0; v < reflection::kVectorCount; ++v) {
        EXPECT_EQ(PB(b.vectors[v][d][side]), times7(a.vectors[v][d][side]));
      }
    }
  }
  for (int v = 0; v < reflection::kVectorCount; ++v) {
    EXPECT_EQ(PB(b.unsolicited[v]), times7(a.unsolicited[v]));
  }
  EXPECT_EQ(PB(b.server_responses[0]), times7(a.server_responses[0]));
  EXPECT_EQ(PB(b.unsolicited[kNtp]), (Pair{7 * 50, 7 * 22000}));
  const auto top = sampled.TopTargets(Vector::kNtp, sampled.last_frame_ns()).entries;
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].second, 7u * 22000);
  const auto reflectors = sampled.Reflectors(Vector::kNtp, sampled.last_frame_ns());
  ASSERT_FALSE(reflectors.reflectors.entries.empty());
  EXPECT_EQ(reflectors.reflectors.entries[0].second,
            7 * once.Reflectors(Vector::kNtp, once.last_frame_ns()).reflectors.entries[0].second);
}

TEST(ReflectionStateTest, LocalNetworksChangeInPlace) {
  ReflectionSettings settings = IncidentSettings();
  settings.local_networks.clear();
  ReflectionState state(settings);
  const auto feed = [&] {
    testing::ForEachPacket("incident-ntp-reflection.pcap", [&](int link, const io::Packet& p) {
      state.OnFrame(p.timestamp_ns, link, p.data);
    });
  };
  feed();
  constexpr int kTransit = static_cast<int>(Direction::kTransit);
  ReflectionCounts c = state.Counts();
  EXPECT_EQ(PB(c.vectors[kNtp][kIn][kResp]), (Pair{0, 0}));  // nothing is local yet
  EXPECT_EQ(PB(c.vectors[kNtp][kTransit][kResp]).first, 52u + 65u);
  state.SetLocalNetworks(IncidentSettings().local_networks);
  feed();
  c = state.Counts();
  EXPECT_EQ(c.frames, 2 * 152u);
  EXPECT_EQ(PB(c.vectors[kNtp][kIn][kResp]), (Pair{52, 22096}));  // as in IncidentCapture
  EXPECT_EQ(PB(c.unsolicited[kNtp]), (Pair{50, 22000}));
  EXPECT_EQ(PB(c.vectors[kNtp][kTransit][kResp]).first, 52u + 65u);  // the first pass stays
}

ReflectionCounts Replay(const ReflectionSettings& settings, const char* capture) {
  ReflectionState state(settings);
  testing::ForEachPacket(
      capture, [&](int link, const io::Packet& p) { state.OnFrame(p.timestamp_ns, link, p.data); });
  return state.Counts();
}

constexpr int kSsdp = static_cast<int>(Vector::kSsdp);
constexpr int kMemcached = static_cast<int>(Vector::kMemcached);
constexpr int kChargen = static_cast<int>(Vector::kChargen);

// Hand counts from local_traffic() in tests/testdata/pcap/generate.py (tshark -z io,phs: 80 NTP
// and 20 DNS frames): customers syncing from our server, a LAN resolver and a 127.0.0.1
// resolver are answered, not flooded; only the 20 monlist answers nobody asked for are.
TEST(ReflectionStateTest, AnswersBetweenLocalHostsAreSolicited) {
  ReflectionSettings settings = IncidentSettings();
  settings.local_networks.push_back(ParseCidr("127.0.0.0/8").value());
  const ReflectionCounts c = Replay(settings, "local-traffic.pcap");
  EXPECT_EQ(c.frames, 100u);
  EXPECT_EQ(PB(c.unsolicited[kDns]), (Pair{0, 0}));
  EXPECT_EQ(PB(c.unsolicited[kNtp]), (Pair{20, 20 * 440}));
  EXPECT_EQ(PB(c.server_requests[0]), (Pair{30, 30 * 48}));
  EXPECT_EQ(PB(c.server_responses[0]), (Pair{30, 30 * 48}));
  EXPECT_EQ(PB(c.vectors[kDns][kIn][kReq]), (Pair{10, 5 * 40 + 5 * 45}));
  EXPECT_EQ(PB(c.vectors[kDns][kIn][kResp]), (Pair{10, 5 * 200 + 5 * 120}));
  EXPECT_EQ(PB(c.vectors[kNtp][kIn][kResp]), (Pair{30 + 20, 30 * 48 + 20 * 440}));
  EXPECT_EQ(c.request_evictions, 0u);
}

// Hand counts from same_port_answers() in generate.py (payload bytes = tshark's udp.length - 8).
TEST(ReflectionStateTest, AnswersAimedAtServicePortsAreAnswers) {
  const ReflectionCounts c = Replay(IncidentSettings(), "same-port-answers.pcap");
  EXPECT_EQ(PB(c.unsolicited[kSsdp]), (Pair{6, 6 * 300}));
  EXPECT_EQ(PB(c.unsolicited[kMemcached]), (Pair{4, 4 * 1400}));
  EXPECT_EQ(PB(c.unsolicited[kDns]), (Pair{3, 3 * 900}));
  EXPECT_EQ(PB(c.unsolicited[kChargen]), (Pair{5, 5 * 500}));
  EXPECT_EQ(PB(c.vectors[kSsdp][kOut][kReq]), (Pair{1, 49}));  // the M-SEARCH from 1900
  // Chargen at our NTP server's port is not NTP: its reflection ratio stays clean.
  EXPECT_EQ(PB(c.vectors[kNtp][kIn][kReq]), (Pair{0, 0}));
  EXPECT_EQ(PB(c.server_requests[0]), (Pair{0, 0}));
  EXPECT_EQ(PB(c.server_responses[0]), (Pair{0, 0}));
  // Its own polls from port 123 ask, and their answers were asked for.
  EXPECT_EQ(PB(c.vectors[kNtp][kOut][kReq]), (Pair{2, 2 * 48}));
  EXPECT_EQ(PB(c.vectors[kNtp][kIn][kResp]), (Pair{2, 2 * 48}));
  EXPECT_EQ(PB(c.unsolicited[kNtp]), (Pair{0, 0}));
}

// Hand counts from fragmented_floods() in generate.py (tshark shows the same fragments and
// reassembles the same datagrams): every answer counts once, with all of its bytes, at the
// victim; the out-of-order answer only with its first fragment's 1472 B; the NAT-T datagram
// is nobody's vector.
TEST(ReflectionStateTest, FragmentedAnswersCountWithAllTheirBytes) {
  ReflectionSettings settings = IncidentSettings();
  settings.local_networks.push_back(ParseCidr("2001:db8:100::/48").value());
  ReflectionState state(settings);
  testing::ForEachPacket("fragmented-floods.pcap", [&](int link, const io::Packet& p) {
    state.OnFrame(p.timestamp_ns, link, p.data);
  });
  const ReflectionCounts c = state.Counts();
  constexpr int kCldap = static_cast<int>(Vector::kCldap);
  EXPECT_EQ(c.frames, 58u);
  EXPECT_EQ(c.fragments, 58u);
  EXPECT_EQ(PB(c.unsolicited[kDns]), (Pair{10 + 4 + 1, 10 * 3500 + 4 * 3500 + 1472}));
  EXPECT_EQ(PB(c.unsolicited[kCldap]), (Pair{5, 5 * 2900}));
  EXPECT_EQ(c.fragments_attributed, 10u * 2 + 5 * 1 + 4 * 2);
  EXPECT_EQ(c.fragments_unmatched, 2u);
  EXPECT_EQ(c.fragments_not_watched, 2u);
  EXPECT_EQ(c.fragment_evictions, 0u);
  const auto top = state.TopTargets(Vector::kDns, state.last_frame_ns()).entries;
  ASSERT_EQ(top.size(), 2u);  // the IPv4 and the IPv6 address of the victim
  EXPECT_EQ(top[0].first, Ip("198.51.100.10"));
  EXPECT_EQ(top[0].second, 10u * 3500 + 1472);
  EXPECT_EQ(top[1].first, Ip("2001:db8:100::10"));
  EXPECT_EQ(top[1].second, 4u * 3500);
}

// Hand counts from encapsulations() in generate.py: the 21 monlist answers (440 B) inside
// MPLS (3, and 3 in pseudowires), GRE (3 + 1 over IPv6), ERSPAN II, III and I (3, 2, 1), VXLAN
// (3) and PPPoE (2) all reach the victim; the tunnels that cannot be read are counted by kind.
TEST(ReflectionStateTest, EncapsulatedFloodsAreSeenInside) {
  ReflectionSettings settings = IncidentSettings();
  settings.local_networks.push_back(ParseCidr("2001:db8:100::/48").value());
  const ReflectionCounts c = Replay(settings, "encapsulations.pcap");
  using E = net::Encapsulation;
  const auto at = [](const auto& a, E e) { return a[static_cast<int>(e)]; };
  EXPECT_EQ(c.frames, 27u);
  EXPECT_EQ(PB(c.unsolicited[kNtp]), (Pair{6 + 4 + 6 + 3 + 2, 21 * 440}));
  EXPECT_EQ(at(c.encapsulated, E::kMpls), 6u);
  EXPECT_EQ(at(c.encapsulated, E::kGre), 4u);
  EXPECT_EQ(at(c.encapsulated, E::kErspan), 6u);
  EXPECT_EQ(at(c.encapsulated, E::kVxlan), 3u);
  EXPECT_EQ(at(c.encapsulated, E::kPppoe), 3u);  // with PPP's LCP echo, which is not IP
  EXPECT_EQ(at(c.undecoded, E::kGre), 3u);       // PPTP x 2, GRE carrying PPP
  EXPECT_EQ(at(c.undecoded, E::kMpls), 1u);
  EXPECT_EQ(at(c.undecoded, E::kVxlan), 1u);
  EXPECT_EQ(at(c.undecoded, E::kErspan) + at(c.undecoded, E::kPppoe), 0u);
  for (const auto n : c.decode_errors) {
    EXPECT_EQ(n, 0u);
  }
}

// Hand counts from spoofed_egress() in generate.py (tshark: sll.pkttype 4 on 26 frames, 5 of
// them from the local 198.51.100.20): forged sources leaving, by vector and protocol.
TEST(ReflectionStateTest, SpoofedEgressIsCountedWhereTheLinkSaysOutgoing) {
  const ReflectionCounts c = Replay(IncidentSettings(), "spoofed-egress.pcap");
  const auto spoofed = [&](int vector, SpoofedProtocol p) {
    return c.spoofed_egress[vector][static_cast<int>(p)];
  };
  constexpr int kNone = reflection::kVectorCount;
  EXPECT_EQ(spoofed(kNtp, SpoofedProtocol::kUdp), 10u);
  EXPECT_EQ(spoofed(kDns, SpoofedProtocol::kUdp), 4u);
  EXPECT_EQ(spoofed(kNone, SpoofedProtocol::kUdp), 2u);
  EXPECT_EQ(spoofed(kNone, SpoofedProtocol::kTcp), 3u);
  EXPECT_EQ(spoofed(kNone, SpoofedProtocol::kIcmp), 2u);
  EXPECT_EQ(spoofed(kNone, SpoofedProtocol::kOther), 1u);
  std::uint64_t total = 0;
  for (const auto& by_protocol : c.spoofed_egress) {
    for (const auto n : by_protocol) {
      total += n;
    }
  }
  EXPECT_EQ(total, 10u + 4 + 2 + 3 + 2 + 1);
  // An Ethernet capture has no direction: the incident's foreign sources are not "egress".
  const ReflectionCounts ethernet = Replay(IncidentSettings(), "incident-ntp-reflection.pcap");
  for (const auto& by_protocol : ethernet.spoofed_egress) {
    for (const auto n : by_protocol) {
      EXPECT_EQ(n, 0u);
    }
  }
}

// Resident memory of this process in bytes (/proc/self/statm: pages).
std::uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// A million distinct remote addresses (bench/reflection/memory.py: ten million), in every role a
// flood gives them: spoofed requests to our server, reflectors answering a local victim, remotes
// our hosts ask, first fragments. Every table is fixed at construction, so resident memory does not
// grow (docs/metrics.md, bounds).
TEST(ReflectionStateTest, DistinctAddressesLeaveMemoryFlat) {
  ReflectionState state(IncidentSettings());
  // Ethernet, IPv4 (no checksum needed), UDP, 48 bytes of NTP payload.
  std::array<std::uint8_t, 14 + 20 + 8 + 48> frame{};
  frame[12] = 0x08;
  frame[14] = 0x45;
  frame[16] = 0;
  frame[17] = 20 + 8 + 48;
  frame[22] = 64;
  frame[23] = 17;
  frame[38] = 0;
  frame[39] = 8 + 48;
  const auto set = [&](std::size_t at, std::uint32_t address) {
    for (int i = 0; i < 4; ++i) {
      frame[at + i] = static_cast<std::uint8_t>(address >> (24 - 8 * i));
    }
  };
  const auto ports = [&](std::uint16_t src, std::uint16_t dst) {
    frame[34] = static_cast<std::uint8_t>(src >> 8);
    frame[35] = static_cast<std::uint8_t>(src);
    frame[36] = static_cast<std::uint8_t>(dst >> 8);
    frame[37] = static_cast<std::uint8_t>(dst);
  };
  constexpr std::uint32_t kLocalServer = 0xC6336400 | 123;  // 198.51.100.123
  constexpr std::uint32_t kVictim = 0xC633640A;             // 198.51.100.10
  const auto feed = [&](std::uint32_t first, std::uint32_t count, std::int64_t t0) {
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::uint32_t remote = 0x0B000000 + first + i;  // 11.0.0.0/8: never local
      const std::int64_t t = t0 + static_cast<std::int64_t>(i) * 1000;
      frame[18] = static_cast<std::uint8_t>(i >> 8);  // IP id
      frame[19] = static_cast<std::uint8_t>(i);
      frame[20] = 0;
      switch (i % 4) {
        case 0:  // a spoofed monlist request to our server
          frame[42] = 0x17;
          set(26, remote), set(30, kLocalServer), ports(80, 123);
          break;
        case 1:  // a reflector's monlist answer to the victim
          frame[42] = 0x97;
          set(26, remote), set(30, kVictim), ports(123, 80);
          break;
        case 2:  // a victim's own NTP request to a remote server
          frame[42] = 0x23;
          set(26, kVictim), set(30, remote), ports(40000, 123);
          break;
        default:  // a first fragment of a datagram that never ends
          frame[42] = 0x97;
          frame[20] = 0x20;  // more fragments
          set(26, remote), set(30, kVictim), ports(123, 80);
          break;
      }
      state.OnFrame(t, net::kLinkEthernet, std::as_bytes(std::span(frame)));
    }
  };
  feed(0, 250'000, 0);  // warm: every table full once
  const std::uint64_t before = ResidentBytes();
  feed(250'000, 1'000'000, 1'000'000'000'000);
  const std::uint64_t after = ResidentBytes();
  EXPECT_EQ(state.Counts().frames, 1'250'000u);
  EXPECT_GT(state.Counts().request_evictions, 0u);  // the tables did fill
  EXPECT_LT(after, before + (1u << 20)) << "before " << before << " after " << after;
}

TEST(ReflectionStateTest, CountsDecodeErrorsFragmentsAndShortNtp) {
  ReflectionState state(IncidentSettings());
  for (const char* name : {"malformed.pcap", "fragments.pcap"}) {
    testing::ForEachPacket(
        name, [&](int link, const io::Packet& p) { state.OnFrame(p.timestamp_ns, link, p.data); });
  }
  const ReflectionCounts c = state.Counts();
  EXPECT_EQ(c.decode_errors[static_cast<int>(net::DecodeError::kTruncated)], 2u);
  EXPECT_EQ(c.decode_errors[static_cast<int>(net::DecodeError::kBadIpHeader)], 2u);
  EXPECT_EQ(c.decode_errors[static_cast<int>(net::DecodeError::kBadUdpHeader)], 2u);
  // The short NTP packet, and the two fragmented datagrams' zero payloads (no NTP version).
  EXPECT_EQ(c.ntp_malformed, 3u);
  EXPECT_EQ(c.fragments, 4u);
  // The 3000-byte datagram to a local host is one unsolicited answer of 1472 + 1480 + 48 bytes;
  // the IPv6 one's first 64 bytes pass in transit.
  EXPECT_EQ(c.fragments_attributed, 2u);
  EXPECT_EQ(c.fragments_unmatched, 0u);
  EXPECT_EQ(PB(c.unsolicited[kNtp]), (Pair{1, 3000}));
  EXPECT_EQ(PB(c.vectors[kNtp][static_cast<int>(Direction::kTransit)][kResp]), (Pair{1, 64}));
}

TEST(RequestTableTest, MatchesWithinTimeout) {
  RequestTable table(1024, 30 * kSecond);
  const auto local = Ip("198.51.100.10");
  const auto remote = Ip("192.0.2.1");
  table.Record(local, remote, Vector::kNtp, 100 * kSecond);
  EXPECT_TRUE(table.Solicited(local, remote, Vector::kNtp, 110 * kSecond));
  EXPECT_TRUE(table.Solicited(local, remote, Vector::kNtp, 130 * kSecond));
  EXPECT_FALSE(table.Solicited(local, remote, Vector::kNtp, 131 * kSecond));
  EXPECT_FALSE(table.Solicited(local, remote, Vector::kDns, 110 * kSecond));
  EXPECT_FALSE(table.Solicited(remote, local, Vector::kNtp, 110 * kSecond));
}

// The address of the i-th distinct remote.
net::Address Remote(std::uint32_t i) {
  net::Address remote = Ip("10.0.0.0");
  remote.bytes[1] = static_cast<std::uint8_t>(i >> 16);
  remote.bytes[2] = static_cast<std::uint8_t>(i >> 8);
  remote.bytes[3] = static_cast<std::uint8_t>(i);
  return remote;
}

// How many of `n` requests recorded at once, all within the timeout, the table forgot.
int ForgottenAtOccupancy(std::size_t slots, std::size_t n, int* evictions) {
  RequestTable table(slots, 30 * kSecond);
  const auto local = Ip("198.51.100.10");
  *evictions = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    *evictions += table.Record(local, Remote(i), Vector::kDns, kSecond) ? 0 : 1;
  }
  int forgotten = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    forgotten += table.Solicited(local, Remote(i), Vector::kDns, 2 * kSecond) ? 0 : 1;
  }
  return forgotten;
}

// With 4 linear probes, 10 % of answered requests looked unsolicited at half occupancy and 46 %
// at 92 %. Two buckets of 8 and a cuckoo walk keep every one up to 92 %.
TEST(RequestTableTest, ForgetsNothingBelowNinetyTwoPercentOccupancy) {
  int evictions = 0;
  EXPECT_EQ(ForgottenAtOccupancy(65536, 32768, &evictions), 0);
  EXPECT_EQ(evictions, 0);
  EXPECT_EQ(ForgottenAtOccupancy(65536, 65536 * 92 / 100, &evictions), 0);
  EXPECT_EQ(evictions, 0);
  // Past capacity something must go, and each loss is counted.
  const int forgotten = ForgottenAtOccupancy(1024, 2048, &evictions);
  EXPECT_GE(forgotten, 1024);
  EXPECT_EQ(forgotten, evictions);
}

// A slot whose request timed out is free again: no eviction is counted for reusing it.
TEST(RequestTableTest, ExpiredRequestsMakeRoomWithoutEvictions) {
  RequestTable table(1024, 30 * kSecond);
  const auto local = Ip("198.51.100.10");
  for (std::uint32_t i = 0; i < 900; ++i) {
    ASSERT_TRUE(table.Record(local, Remote(i), Vector::kNtp, kSecond));
  }
  for (std::uint32_t i = 1000; i < 1900; ++i) {
    EXPECT_TRUE(table.Record(local, Remote(i), Vector::kNtp, 40 * kSecond)) << i;
  }
  EXPECT_TRUE(table.Solicited(local, Remote(1899), Vector::kNtp, 41 * kSecond));
  EXPECT_FALSE(table.Solicited(local, Remote(0), Vector::kNtp, 41 * kSecond));
}

TEST(RequestTableTest, FloodOfDistinctRequestsStaysBoundedAndKeepsTheNewest) {
  RequestTable table(1024, 30 * kSecond);
  const auto local = Ip("198.51.100.10");
  net::Address remote = Ip("10.0.0.0");
  // 50000 distinct remotes in a 1024-slot table: memory is fixed; the newest are remembered.
  for (std::uint32_t i = 0; i < 50000; ++i) {
    remote.bytes[1] = static_cast<std::uint8_t>(i >> 16);
    remote.bytes[2] = static_cast<std::uint8_t>(i >> 8);
    remote.bytes[3] = static_cast<std::uint8_t>(i);
    table.Record(local, remote, Vector::kDns, kSecond + i);
  }
  EXPECT_TRUE(table.Solicited(local, remote, Vector::kDns, 2 * kSecond));
  remote.bytes[1] = remote.bytes[2] = remote.bytes[3] = 0;
  EXPECT_FALSE(table.Solicited(local, remote, Vector::kDns, 2 * kSecond));
}

}  // namespace
}  // namespace edgewatch
