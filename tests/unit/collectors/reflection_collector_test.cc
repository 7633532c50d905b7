#include "collectors/reflection_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/values.h"
#include "testutil/exposition.h"
#include "testutil/fake_clock.h"
#include "testutil/step_trigger.h"
#include "testutil/temp_dir.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::Exposition;
using ::testing::HasSubstr;
using ::testing::Not;

class ReflectionCollectorTest : public ::testing::Test {
 protected:
  std::unique_ptr<ReflectionCollector> Make(const ReflectionConfig& config) {
    return std::make_unique<ReflectionCollector>(
        config, clock_, Logger(log_, LogLevel::kDebug, LogFormat::kLogfmt, clock_),
        std::make_unique<testing::StepTrigger>(), std::make_unique<testing::StepTrigger>());
  }
  static ReflectionConfig Edge() {
    ReflectionConfig c;
    c.local_networks = {*ParseCidr("198.51.100.0/24")};
    c.ntp.servers = {*ParseIpAddress("198.51.100.123")};
    return c;
  }

  testing::FakeClock clock_;
  std::ostringstream log_;
};

// Expected values: tests/testdata/pcap/README.md (the packets of generate.py, checked with
// tshark).
TEST_F(ReflectionCollectorTest, ReplaysTheIncidentCapture) {
  auto c = Make(Edge());
  ASSERT_TRUE(c->Replay(testing::TestData("pcap/incident-ntp-reflection.pcap")).ok());
  const std::string t = Exposition(*c);
  // 50 monlist responses of 440 B to the victim, which asked for none.
  EXPECT_THAT(t, HasSubstr("\nedgewatch_ntp_unsolicited_responses_total 50\n"));
  EXPECT_THAT(t, HasSubstr("\nedgewatch_ntp_unsolicited_payload_bytes_total 22000\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_reflection_unsolicited_responses_total{vector=\"dns\"} 4\n"));
  // Our server: 20 monlist + 5 client requests of 48 B in, 60 x 440 B + 5 x 48 B out.
  EXPECT_THAT(t, HasSubstr("edgewatch_ntp_server_request_payload_bytes_total{server=\""
                           "198.51.100.123\"} 1200\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_ntp_server_response_payload_bytes_total{server=\""
                           "198.51.100.123\"} 26640\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_ntp_monlist_packets_total{direction=\"in\",side=\""
                           "request\"} 20\n"));
  // The victim is the top target of the reflected bytes: 22000 of NTP, 4 x 1200 of DNS.
  EXPECT_THAT(t, HasSubstr("edgewatch_reflection_top_target_bytes{vector=\"ntp\",target=\""
                           "198.51.100.10\"} 22000\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_reflection_top_target_bytes{vector=\"dns\",target=\""
                           "198.51.100.10\"} 4800\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_capture_packets_received_total{interface=\"replay\"} 152\n"));
  // The reflector view: our server as the reflector, asked 1200 B and answering 26640 B, and
  // the spoofed victim it answered.
  EXPECT_THAT(t, HasSubstr("edgewatch_reflection_top_reflector_bytes{vector=\"ntp\",reflector=\""
                           "198.51.100.123\"} 26640\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_reflection_top_reflector_request_bytes{vector=\"ntp\","
                           "reflector=\"198.51.100.123\"} 1200\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_reflection_top_victim_bytes{vector=\"ntp\",victim=\""
                           "192.0.2.77\"} 26400\n"));
  EXPECT_THAT(t, HasSubstr("edgewatch_reflection_top_reflector_error_bytes{vector=\"dns\"} 0\n"));
}

TEST_F(ReflectionCollectorTest, CountsWhatItCannotDecode) {
  auto c = Make(Edge());
  ASSERT_TRUE(c->Replay(testing::TestData("pcap/malformed.pcap")).ok());
  ASSERT_TRUE(c->Replay(testing::TestData("pcap/fragments.pcap")).ok());
  const std::string t = Exposition(*c);
  for (const char* reason : {"truncated", "bad_ip_header", "bad_udp_header"}) {
    EXPECT_THAT(t,
                HasSubstr("edgewatch_capture_decode_errors_total{interface=\"replay\",reason=\"" +
                          std::string(reason) + "\"} 2\n"))
        << reason;
  }
  EXPECT_THAT(t, HasSubstr("edgewatch_capture_ip_fragments_total{interface=\"replay\"} 4\n"));
}

TEST_F(ReflectionCollectorTest, AFileThatIsNoCaptureIsAnError) {
  auto c = Make(Edge());
  const Status s = c->Replay(testing::TestData("pcap/README.md"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("unknown file format"));
}

// A capture cut short counts the whole packets before the cut, as tcpdump -r reads them
// (`head -c 5000` of the incident capture: tcpdump prints 9 packets, then "truncated dump file").
TEST_F(ReflectionCollectorTest, ATruncatedCaptureCountsItsWholePackets) {
  const testing::TempDir dir("pcap-cut");
  const std::string cut = dir.File("cut.pcap");
  {
    std::ifstream in(testing::TestData("pcap/incident-ntp-reflection.pcap"), std::ios::binary);
    std::string head(5000, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    std::ofstream(cut, std::ios::binary) << head;
  }
  auto c = Make(Edge());
  ASSERT_TRUE(c->Replay(cut).ok());
  EXPECT_THAT(Exposition(*c),
              HasSubstr("edgewatch_capture_packets_received_total{interface=\"replay\"} 9\n"));
  EXPECT_THAT(log_.str(), HasSubstr("capture ends early"));
  EXPECT_THAT(log_.str(), HasSubstr("packets=9"));
}

// The filter passes the vectors' ports, every IP fragment (only the first holds the UDP
// header) and the tunnels the decoder reads.
TEST(CaptureFilterTest, PassesTheVectorsPortsFragmentsAndTunnels) {
  const std::string f = CaptureFilter({reflection::Vector::kNtp, reflection::Vector::kDns});
  EXPECT_EQ(f.substr(0, f.find(')') + 2), "(udp and (port 123 or port 53))");
  EXPECT_THAT(f, HasSubstr("ip[6:2] & 0x3fff != 0"));
  for (const char* tunnel : {"ip proto 47", "udp port 4789", "ether proto 0x8847",
                             "ether proto 0x8848", "ether proto 0x8864"}) {
    EXPECT_THAT(f, HasSubstr(tunnel));
  }
  EXPECT_THAT(f, Not(HasSubstr("outbound")));
  // spoofed_egress: outbound packets from outside the local networks, too.
  const std::vector<net::Prefix> local = {ParseCidr("198.51.100.0/24").value(),
                                          ParseCidr("2001:db8:100::/48").value()};
  EXPECT_EQ(EgressFilter(local),
            "(ip or ip6) and not (src net 198.51.100.0/24 or src net 2001:db8:100::/48)");
  EXPECT_THAT(CaptureFilter({reflection::Vector::kNtp}, &local),
              HasSubstr(" or (outbound and (ip or ip6) and not (src net 198.51.100.0/24 or src "
                        "net 2001:db8:100::/48))"));
}

}  // namespace
}  // namespace edgewatch
