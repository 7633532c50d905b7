#include "collectors/udp_reflection_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "config/values.h"
#include "prometheus/text_serializer.h"
#include "testutil/pcap_file.h"

namespace edgewatch {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ReflectionTrafficConfig Edge() {
  ReflectionTrafficConfig c;
  c.vectors = {reflection::Vector::kNtp, reflection::Vector::kDns};
  c.ntp.servers = {*ParseIpAddress("198.51.100.123")};
  c.top_k = 3;
  c.window = std::chrono::minutes(1);
  return c;
}

std::string Text(const ReflectionState& state, const ReflectionTrafficConfig& c,
                 const Labels& labels) {
  MetricSink sink;
  AddReflectionTraffic(sink, state, state.Counts(),
                       {c.vectors, c.ntp.servers, state.last_frame_ns(), labels});
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, std::move(sink).Take());
  return out.str();
}

TEST(ReflectionTrafficTest, SettingsComeFromTheSharedKeys) {
  const ReflectionTrafficConfig c = Edge();
  const ReflectionSettings s = ReflectionSettingsOf(c, {*ParseCidr("198.51.100.0/24")});
  EXPECT_EQ(s.vector_mask, (1u << static_cast<int>(reflection::Vector::kNtp)) |
                               (1u << static_cast<int>(reflection::Vector::kDns)));
  EXPECT_EQ(s.ntp_servers, c.ntp.servers);
  EXPECT_EQ(s.top_k, 3u);
  EXPECT_EQ(s.window_ns, 60'000'000'000);
  EXPECT_EQ(s.request_timeout_ns, 30'000'000'000);
  EXPECT_EQ(s.local_networks.size(), 1u);
}

// The flow collector's series carry its source label first, on every family; the capture's
// carry none. Values: tests/testdata/pcap/README.md.
TEST(ReflectionTrafficTest, EverySeriesCarriesTheViewsLabels) {
  const ReflectionTrafficConfig c = Edge();
  ReflectionState state(ReflectionSettingsOf(c, {*ParseCidr("198.51.100.0/24")}));
  testing::ForEachPacket("incident-ntp-reflection.pcap", [&](int link, const io::Packet& p) {
    state.OnFrame(p.timestamp_ns, link, p.data);
  });
  const std::string plain = Text(state, c, {});
  EXPECT_THAT(plain, HasSubstr("\nedgewatch_ntp_unsolicited_payload_bytes_total 22000\n"));
  EXPECT_THAT(plain, HasSubstr("\nedgewatch_reflection_top_target_bytes{vector=\"ntp\",target="
                               "\"198.51.100.10\"} 22000\n"));
  EXPECT_THAT(plain, HasSubstr("edgewatch_ntp_server_response_packets_total{server="
                               "\"198.51.100.123\"} 65\n"));
  EXPECT_THAT(plain, Not(HasSubstr("vector=\"ssdp\"")));  // not enabled

  const std::string flow = Text(state, c, {{"source", "sflow"}});
  EXPECT_THAT(flow, HasSubstr("\nedgewatch_ntp_unsolicited_payload_bytes_total{source=\"sflow\"} "
                              "22000\n"));
  EXPECT_THAT(flow, HasSubstr("\nedgewatch_reflection_top_target_bytes{source=\"sflow\",vector="
                              "\"ntp\",target=\"198.51.100.10\"} 22000\n"));
  std::istringstream lines(flow);
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    ++samples;
    EXPECT_THAT(line, HasSubstr("{source=\"sflow\"")) << line;
  }
  EXPECT_GT(samples, 50);
}

}  // namespace
}  // namespace edgewatch
