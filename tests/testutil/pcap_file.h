#pragma once

#include <gtest/gtest.h>

#include <string>

#include "io/pcap_source.h"
#include "testutil/testdata.h"

namespace edgewatch::testing {

// Calls `f(link_type, packet)` for every packet of tests/testdata/pcap/<name>.
template <typename F>
void ForEachPacket(const std::string& name, F f) {
  auto source = io::PcapSource::OpenFile(TestData("pcap/" + name));
  ASSERT_TRUE(source.ok()) << source.error().message;
  const int link = source->link_type();
  Status s = source->ReadAll([&](const io::Packet& p) { f(link, p); });
  ASSERT_TRUE(s.ok()) << s.error().message;
}

}  // namespace edgewatch::testing
