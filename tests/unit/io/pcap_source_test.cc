#include "io/pcap_source.h"

#include <gtest/gtest.h>

#include "testutil/testdata.h"

namespace edgewatch::io {
namespace {

// Counts: tests/testdata/pcap/README.md (152 frames, Ethernet; the same frames in pcapng).
TEST(PcapSourceTest, ReadsEveryFrameOfPcapAndPcapng) {
  for (const char* name :
       {"pcap/incident-ntp-reflection.pcap", "pcap/incident-ntp-reflection.pcapng"}) {
    auto source = PcapSource::OpenFile(edgewatch::testing::TestData(name));
    ASSERT_TRUE(source.ok()) << source.error().message;
    EXPECT_EQ(source->link_type(), 1) << name;  // DLT_EN10MB
    std::size_t frames = 0;
    std::int64_t last_ns = 0;
    bool ordered = true;
    ASSERT_TRUE(source
                    ->ReadAll([&](const Packet& p) {
                      ++frames;
                      ordered = ordered && p.timestamp_ns >= last_ns;
                      last_ns = p.timestamp_ns;
                      EXPECT_LE(p.data.size(), p.wire_length);
                    })
                    .ok());
    EXPECT_EQ(frames, 152u) << name;
    EXPECT_TRUE(ordered) << name;
    EXPECT_GT(last_ns, 1'000'000'000'000'000'000) << name;  // nanoseconds since 1970
  }
}

TEST(PcapSourceTest, OpenErrorsSayWhy) {
  const auto missing = PcapSource::OpenFile("/nonexistent.pcap");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("No such file or directory"), std::string::npos);
  const auto not_pcap = PcapSource::OpenFile(edgewatch::testing::TestData("pcap/README.md"));
  ASSERT_FALSE(not_pcap.ok());
  EXPECT_NE(not_pcap.error().message.find("unknown file format"), std::string::npos);
  LiveCaptureOptions options;
  options.interface = "nonexistent0";
  EXPECT_FALSE(PcapSource::OpenLive(options).ok());
}

}  // namespace
}  // namespace edgewatch::io
