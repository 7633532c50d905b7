// Proves the capture hot path allocates nothing: global operator new is replaced by one that
// counts, while a flag is set, the allocations made on this thread.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <vector>

#include "collectors/reflection_state.h"
#include "config/values.h"
#include "testutil/pcap_file.h"

namespace {

thread_local bool counting = false;
thread_local std::size_t allocations = 0;

}  // namespace

void* operator new(std::size_t size) {
  if (counting) {
    ++allocations;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace edgewatch {
namespace {

TEST(ReflectionHotPathTest, OnFrameAllocatesNothing) {
  ReflectionSettings settings;
  settings.local_networks = {ParseCidr("198.51.100.0/24").value()};
  settings.vector_mask = (1u << reflection::kVectorCount) - 1;
  settings.ntp_servers = {ParseIpAddress("198.51.100.123").value()};
  ReflectionState state(settings);

  // Copy the frames out first: reading the file may allocate, the hot path may not.
  struct Frame {
    std::int64_t ts;
    int link;
    std::vector<std::byte> bytes;
  };
  std::vector<Frame> frames;
  for (const char* name : {"incident-ntp-reflection.pcap", "malformed.pcap", "fragments.pcap",
                           "link-ethernet-vlan-ipv6.pcap"}) {
    testing::ForEachPacket(name, [&](int link, const io::Packet& p) {
      frames.push_back({p.timestamp_ns, link, {p.data.begin(), p.data.end()}});
    });
  }
  ASSERT_GT(frames.size(), 150u);

  allocations = 0;
  counting = true;
  for (int round = 0; round < 3; ++round) {
    for (const auto& f : frames) {
      state.OnFrame(f.ts + round, f.link, f.bytes);
    }
  }
  counting = false;
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(state.Counts().frames, 3 * frames.size());  // the frames were really processed
}

}  // namespace
}  // namespace edgewatch
