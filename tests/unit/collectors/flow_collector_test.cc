#include "collectors/flow_collector.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <sstream>

#include "collectors/reflection_collector.h"
#include "config/values.h"
#include "testutil/exposition.h"
#include "testutil/fake_clock.h"
#include "testutil/pcap_file.h"
#include "testutil/step_trigger.h"
#include "testutil/testdata.h"
#include "testutil/xdr_words.h"

namespace edgewatch {
namespace {

using testing::Exposition;
using ::testing::HasSubstr;
using ::testing::Not;

FlowConfig Edge() {
  FlowConfig c;
  c.enabled = true;
  c.listen = {{"127.0.0.1", 0}};
  c.local_networks = {*ParseCidr("198.51.100.0/24")};
  c.ntp.servers = {*ParseIpAddress("198.51.100.123")};
  return c;
}

// The samples of the reflection families of `source` (or of none: the capture's), without the
// source label, by series.
std::map<std::string, std::string> ReflectionSeries(const std::string& text,
                                                    const std::string& source = "sflow") {
  std::map<std::string, std::string> out;
  std::istringstream lines(text);
  const std::regex family("^edgewatch_(ntp|reflection)_[a-z_]+");
  const std::string label = "source=\"" + source + "\"";
  for (std::string line; std::getline(lines, line);) {
    if (!std::regex_search(line, family) || line.find("_slots") != std::string::npos ||
        (line.find("source=") != std::string::npos && line.find(label) == std::string::npos)) {
      continue;
    }
    line = std::regex_replace(line, std::regex(label + ",?"), "");
    line = std::regex_replace(line, std::regex("\\{\\}"), "");
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

class FlowCollectorTest : public ::testing::Test {
 protected:
  Logger MakeLogger() { return Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_); }
  testing::FakeClock clock_;
  std::ostringstream log_;

  // The exposition of the capture's own collector replaying the incident capture.
  std::string CaptureOfTheIncident() {
    ReflectionConfig capture_config;
    capture_config.local_networks = Edge().local_networks;
    capture_config.ntp.servers = Edge().ntp.servers;
    ReflectionCollector capture(capture_config, clock_, MakeLogger(),
                                std::make_unique<testing::StepTrigger>(),
                                std::make_unique<testing::StepTrigger>());
    EXPECT_TRUE(capture.Replay(testing::TestData("pcap/incident-ntp-reflection.pcap")).ok());
    return Exposition(capture);
  }
};

// pmacct's sfprobe sampled every frame of the incident capture (sampling_rate 1,
// tests/testdata/pcap/README.md): every reflection series from the flows equals the capture's.
TEST_F(FlowCollectorTest, SflowOfEveryFrameCountsAsTheCaptureItself) {
  FlowCollector flows(Edge(), clock_, MakeLogger());
  ASSERT_TRUE(flows.Replay(testing::TestData("pcap/flow/sflow-pmacct-incident.pcap")).ok());

  const std::string flow_text = Exposition(flows);
  const auto from_flows = ReflectionSeries(flow_text);
  const auto from_capture = ReflectionSeries(CaptureOfTheIncident());
  EXPECT_GT(from_capture.size(), 100u);
  EXPECT_EQ(from_flows, from_capture);
  EXPECT_THAT(flow_text, HasSubstr("edgewatch_ntp_unsolicited_payload_bytes_total{source=\"sflow\"}"
                                   " 22000\n"));
  // 25 datagrams, sequence 1 to 25, from pmacct on 127.0.0.1 with 152 samples.
  EXPECT_THAT(flow_text, HasSubstr("edgewatch_flow_datagrams_total{protocol=\"sflow\",agent="
                                   "\"127.0.0.1\"} 25\n"));
  EXPECT_THAT(flow_text, HasSubstr("edgewatch_flow_samples_total{protocol=\"sflow\",agent="
                                   "\"127.0.0.1\"} 152\n"));
  EXPECT_THAT(flow_text, HasSubstr("edgewatch_flow_datagrams_lost_total{protocol=\"sflow\",agent="
                                   "\"127.0.0.1\"} 0\n"));
  EXPECT_THAT(flow_text, HasSubstr("edgewatch_flow_agent_sampling_rate{protocol=\"sflow\",agent="
                                   "\"127.0.0.1\"} 1\n"));
}

// One datagram per frame of the incident capture, each frame sampled 1 in 10: every packet
// and byte counts ten times (numbers by hand: tests/testdata/pcap/README.md). Datagrams
// 3 and 4 of the agent's sequence never arrive.
TEST_F(FlowCollectorTest, SampledFramesCountTheirRateAndGapsAreLost) {
  FlowCollector flows(Edge(), clock_, MakeLogger());
  std::uint32_t sequence = 0;
  testing::ForEachPacket("incident-ntp-reflection.pcap", [&](int, const io::Packet& p) {
    ++sequence;
    if (sequence == 3 || sequence == 4) {
      return;
    }
    const std::vector<std::byte> header(p.data.begin(),
                                        p.data.begin() + std::min<std::size_t>(p.data.size(), 128));
    testing::Words raw;  // raw packet header: Ethernet, frame length, stripped, header
    raw.U32(1).U32(static_cast<std::uint32_t>(p.data.size())).U32(0);
    raw.U32(static_cast<std::uint32_t>(header.size())).Opaque(header);
    testing::Words sample;  // sequence, source, rate, pool, drops, in, out, records
    sample.U32(sequence).U32(3).U32(10).U32(10 * sequence).U32(0).U32(3).U32(4).U32(1);
    sample.Part(1, raw);
    testing::Words d;  // version, IPv4 agent, sub-agent, sequence, uptime, samples
    d.U32(5).U32(1).U32(0xC00002FE).U32(0).U32(sequence).U32(1000).U32(1).Part(1, sample);
    flows.OnDatagram(*net::ParseAddress("192.0.2.254"), d.bytes, false, p.timestamp_ns,
                     p.timestamp_ns);
  });
  ASSERT_EQ(sequence, 152u);
  const std::string text = Exposition(flows);
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_datagrams_total{protocol=\"sflow\",agent="
                              "\"192.0.2.254\"} 150\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_datagrams_lost_total{protocol=\"sflow\",agent="
                              "\"192.0.2.254\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_agent_sampling_rate{protocol=\"sflow\",agent="
                              "\"192.0.2.254\"} 10\n"));
  // Of the 50 unsolicited monlist responses of 440 B to the victim, frames 3 and 4 are lost
  // (tshark -c 4 shows them): 48 arrived, each standing for 10.
  EXPECT_THAT(text, HasSubstr("edgewatch_ntp_unsolicited_responses_total{source=\"sflow\"} 480\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_ntp_unsolicited_payload_bytes_total{source=\"sflow\"} "
                              "211200\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_reflection_top_target_bytes{source=\"sflow\",vector="
                              "\"ntp\",target=\"198.51.100.10\"} 211200\n"));
}

// softflowd 1.1.0 read the incident capture and exported every flow of it (tests/testdata/pcap/
// README.md): NetFlow v5, v9 and IPFIX each give the capture's own counts of every vector
// (packets, payload bytes, unsolicited answers, top targets); NTP's modes only as far as
// monlist (a flow's mode is its mean size, ntp::MeanSizeSaysMonlist).
TEST_F(FlowCollectorTest, NetflowAndIpfixOfEveryFlowCountAsTheCapture) {
  const auto truth = ReflectionSeries(CaptureOfTheIncident());
  for (const char* protocol : {"netflow5", "netflow9", "ipfix"}) {
    SCOPED_TRACE(protocol);
    FlowCollector flows(Edge(), clock_, MakeLogger());
    ASSERT_TRUE(flows
                    .Replay(testing::TestData(std::string("pcap/flow/") + protocol +
                                              "-softflowd-incident.pcap"))
                    .ok());
    const std::string text = Exposition(flows);
    const auto from_flows = ReflectionSeries(text, "netflow");
    std::size_t compared = 0;
    for (const auto& [series, value] : truth) {
      // The capture reads every NTP packet's mode; a flow says only "monlist" or nothing.
      const bool mode_known = series.find("mode=\"private\"") != std::string::npos ||
                              series.find("mode=") == std::string::npos;
      if (!mode_known ||
          series.find("monlist_packets_total{direction=\"in\",side=\"request") !=
              std::string::npos ||
          series.find("monlist_payload_bytes_total{direction=\"in\",side=\"request") !=
              std::string::npos ||
          series.find("_frames_total") != std::string::npos ||
          series.find("malformed") != std::string::npos) {
        continue;  // requests have no size rule; frames count records
      }
      ++compared;
      ASSERT_TRUE(from_flows.contains(series)) << series;
      if (series.find("edgewatch_ntp_packets_total") == 0 ||
          series.find("edgewatch_ntp_payload_bytes_total") == 0) {
        continue;  // mode private: only the monlist answers, checked below
      }
      EXPECT_EQ(from_flows.at(series), value) << series;
    }
    EXPECT_GT(compared, 100u);
    EXPECT_THAT(text, HasSubstr("edgewatch_ntp_unsolicited_responses_total{source=\"netflow\"} "
                                "50\n"));
    EXPECT_THAT(text, HasSubstr("edgewatch_ntp_monlist_payload_bytes_total{source=\"netflow\","
                                "direction=\"in\",side=\"response\"} 22000\n"));
    EXPECT_THAT(text, HasSubstr("edgewatch_flow_samples_total{protocol=\"" + std::string(protocol) +
                                "\",agent=\"127.0.0.1\"} 21\n"));
  }
}

// softflowd -s 10 sampled 1 in 10 and said so in an options record (v9 SAMPLING_INTERVAL,
// IPFIX samplingPacketInterval 1 / samplingPacketSpace 9): each record stands for 10 times
// its packets (tshark -V shows the records and the options).
TEST_F(FlowCollectorTest, OptionsRecordsScaleSampledFlows) {
  for (const char* protocol : {"netflow9", "ipfix"}) {
    SCOPED_TRACE(protocol);
    FlowCollector flows(Edge(), clock_, MakeLogger());
    ASSERT_TRUE(flows
                    .Replay(testing::TestData(std::string("pcap/flow/") + protocol +
                                              "-sampled-softflowd-incident.pcap"))
                    .ok());
    const std::string text = Exposition(flows);
    EXPECT_THAT(text, HasSubstr("edgewatch_flow_agent_sampling_rate{protocol=\"" +
                                std::string(protocol) + "\",agent=\"127.0.0.1\"} 10\n"));
    EXPECT_THAT(text, HasSubstr("edgewatch_flow_templates_total{protocol=\"" +
                                std::string(protocol) + "\",agent=\"127.0.0.1\"} 5\n"));
  }
  // The IPFIX export's one record from :123 to the victim (tshark: 5 packets, 2340 octets):
  // 50 packets, (2340 - 5 * 28) * 10 payload bytes.
  FlowCollector flows(Edge(), clock_, MakeLogger());
  ASSERT_TRUE(
      flows.Replay(testing::TestData("pcap/flow/ipfix-sampled-softflowd-incident.pcap")).ok());
  const std::string text = Exposition(flows);
  EXPECT_THAT(text, HasSubstr("edgewatch_ntp_unsolicited_responses_total{source=\"netflow\"} "
                              "50\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_ntp_unsolicited_payload_bytes_total{source=\"netflow\"} "
                              "22000\n"));
}

TEST_F(FlowCollectorTest, RefusesAgentsOutsideTheListAndCountsBadDatagrams) {
  FlowConfig config = Edge();
  config.agents = {*ParseCidr("192.0.2.0/24")};
  FlowCollector flows(config, clock_, MakeLogger());
  const std::byte junk[8] = {};  // no protocol's version
  const std::byte sflow4[8] = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{4}};
  flows.OnDatagram(*net::ParseAddress("203.0.113.9"), junk, false, 0, 0);
  flows.OnDatagram(*net::ParseAddress("192.0.2.7"), junk, false, 0, 5'000'000'000);
  flows.OnDatagram(*net::ParseAddress("192.0.2.7"), sflow4, false, 0, 5'000'000'000);
  flows.OnDatagram(*net::ParseAddress("192.0.2.7"), junk, true, 0, 6'000'000'000);
  const std::string text = Exposition(flows);
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_refused_datagrams_total 1\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_decode_errors_total{protocol=\"unknown\",agent="
                              "\"192.0.2.7\",reason=\"version\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_decode_errors_total{protocol=\"unknown\",agent="
                              "\"192.0.2.7\",reason=\"oversize\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_agent_last_seen_timestamp_seconds{protocol="
                              "\"unknown\",agent=\"192.0.2.7\"} 6\n"));
  EXPECT_THAT(text, Not(HasSubstr("203.0.113.9")));
}

// Counter samples (generic interface counters) give each router interface's octets: the
// "4x upstream" signal, as the router counts it.
TEST_F(FlowCollectorTest, CounterSamplesExportInterfaceOctets) {
  FlowCollector flows(Edge(), clock_, MakeLogger());
  for (std::uint32_t round = 1; round <= 2; ++round) {
    testing::Words record;  // ifIndex, type, speed, direction, status, in octets, ...
    record.U32(7).U32(6).U64(10'000'000'000).U32(1).U32(3).U64(round * 4'000'000'000ULL);
    record.U32(10).U32(0).U32(0).U32(0).U32(0).U32(0).U64(round * 1'000'000ULL);
    record.U32(20).U32(0).U32(0).U32(0).U32(0);
    testing::Words sample;  // sequence, source id, records
    sample.U32(round).U32(7).U32(1).Part(1, record);
    testing::Words d;
    d.U32(5).U32(1).U32(0xC00002FE).U32(0).U32(round).U32(1000).U32(1).Part(2, sample);
    flows.OnDatagram(*net::ParseAddress("192.0.2.254"), d.bytes, false, 0, 0);
  }
  const std::string text = Exposition(flows);
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_interface_octets_total{agent=\"192.0.2.254\","
                              "ifindex=\"7\",direction=\"in\"} 8000000000\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_interface_octets_total{agent=\"192.0.2.254\","
                              "ifindex=\"7\",direction=\"out\"} 2000000\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_interface_speed_bytes{agent=\"192.0.2.254\","
                              "ifindex=\"7\"} 1250000000\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_samples_total{protocol=\"sflow\",agent="
                              "\"192.0.2.254\"} 0\n"));  // counter samples are no flow samples
}

// Live: datagrams sent to the listener on loopback arrive through the receiving thread.
TEST_F(FlowCollectorTest, ReceivesOnItsListener) {
  FlowCollector flows(Edge(), clock_, MakeLogger());
  ASSERT_TRUE(flows.Start().ok());
  const std::uint16_t port = flows.Ports().at(0);
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int sent = 0;
  testing::ForEachPacket("flow/sflow-pmacct-incident.pcap", [&](int link, const io::Packet& p) {
    net::Frame frame;
    ASSERT_FALSE(net::DecodeFrameInto(link, p.data, frame));
    ::sendto(fd, frame.udp.payload.data(), frame.udp.payload.size(), 0,
             reinterpret_cast<sockaddr*>(&to), sizeof(to));
    ++sent;
  });
  ::close(fd);
  std::string text;
  for (int i = 0; i < 100; ++i) {  // the receiving thread's pace, not a timing assertion
    text = Exposition(flows);
    // The listener's count is copied after each batch is counted, so it comes last.
    if (text.find("edgewatch_flow_listener_datagrams_total{listen=\"127.0.0.1:0\"} 25\n") !=
        std::string::npos) {
      break;
    }
    ::usleep(50'000);
  }
  flows.Stop();
  // A scrape reads the traffic families before the listener's count: take the one after the
  // receiving thread stopped, which sees all it counted.
  text = Exposition(flows);
  EXPECT_EQ(sent, 25);
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_datagrams_total{protocol=\"sflow\",agent="
                              "\"127.0.0.1\"} 25\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_ntp_unsolicited_payload_bytes_total{source=\"sflow\"} "
                              "22000\n"));
  EXPECT_THAT(text, HasSubstr("edgewatch_flow_receive_drops_total{listen=\"127.0.0.1:0\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("edgewatch_flow_listener_datagrams_total{listen=\"127.0.0.1:0\"} 25\n"));
}

}  // namespace
}  // namespace edgewatch
