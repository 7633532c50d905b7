#include "collectors/flow_agents.h"

#include <gtest/gtest.h>

#include <string>

namespace edgewatch {
namespace {

net::Address Ip(const std::string& text) { return *net::ParseAddress(text); }

TEST(FlowAgentsTest, GapsAreLostDatagramsAndStepsBackResets) {
  FlowAgents agents(4, 16);
  const std::size_t a = agents.Slot(Ip("192.0.2.1"));
  for (std::uint32_t s : {1u, 2u, 3u, 7u, 8u}) {  // 4, 5, 6 lost
    agents.Sequence(a, 0, s);
  }
  agents.Sequence(a, 1, 100);  // a second sub-agent has a sequence of its own
  agents.Sequence(a, 1, 101);
  agents.Sequence(a, 0, 1);  // the agent restarted
  agents.Sequence(a, 0, 2);
  const auto list = agents.Agents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].lost, 3u);
  EXPECT_EQ(list[0].resets, 1u);
}

TEST(FlowAgentsTest, TheSequenceWrapsWithoutAReset) {
  FlowAgents agents(4, 16);
  const std::size_t a = agents.Slot(Ip("192.0.2.1"));
  agents.Sequence(a, 0, 0xFFFFFFFEu);
  agents.Sequence(a, 0, 0xFFFFFFFFu);
  agents.Sequence(a, 0, 1);  // 0 lost
  EXPECT_EQ(agents.Agents()[0].lost, 1u);
  EXPECT_EQ(agents.Agents()[0].resets, 0u);
}

TEST(FlowAgentsTest, AgentsPastTheBoundShareOneSlot) {
  FlowAgents agents(3, 16);
  for (int i = 0; i < 1000; ++i) {
    const std::size_t slot =
        agents.Slot(Ip("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)));
    agents.Datagram(slot, i);
    agents.Sequence(slot, 0, 5);  // would be resets, had they one sequence
  }
  EXPECT_EQ(agents.Slot(Ip("10.0.0.1")), agents.Slot(Ip("10.0.0.1")));  // kept, found again
  const auto list = agents.Agents();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].address, Ip("10.0.0.0"));
  EXPECT_FALSE(list[2].other);
  EXPECT_TRUE(list[3].other);
  EXPECT_EQ(list[3].datagrams, 997u);
  EXPECT_EQ(list[3].resets, 0u);
  EXPECT_EQ(list[0].datagrams + list[1].datagrams + list[2].datagrams, 3u);
}

TEST(FlowAgentsTest, InterfaceCountersAreBoundedAndKeepTheLatest) {
  FlowAgents agents(4, 2);
  const std::size_t a = agents.Slot(Ip("192.0.2.1"));
  flow::SflowInterfaceCounters c;
  c.if_speed = 10'000'000'000;
  for (std::uint32_t index : {1u, 2u, 3u, 1u}) {
    c.if_index = index;
    c.in_octets += 1000;
    c.out_octets += 10;
    agents.Interface(a, c);
  }
  const auto interfaces = agents.Interfaces();
  ASSERT_EQ(interfaces.size(), 2u);
  EXPECT_EQ(interfaces[0].if_index, 1u);
  EXPECT_EQ(interfaces[0].in_octets, 4000u);
  EXPECT_EQ(interfaces[0].agent, Ip("192.0.2.1"));
  EXPECT_EQ(interfaces[1].in_octets, 2000u);
  EXPECT_EQ(agents.interfaces_not_kept(), 1u);  // ifIndex 3
}

TEST(FlowAgentsTest, ErrorsHaveNames) {
  EXPECT_STREQ(FlowErrorName(FlowError::kTruncated), "truncated");
  EXPECT_STREQ(FlowErrorName(FlowError::kHeaderProtocol), "header_protocol");
}

}  // namespace
}  // namespace edgewatch
